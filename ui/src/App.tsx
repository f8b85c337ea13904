import { useEffect, useState } from "react";
import { Link, Route, Switch } from "wouter";
import { AccessDialog } from "./components/AccessDialog";
import { onUnauthorized } from "./lib/api";
import { token } from "./lib/session";
import { ClusterPage } from "./pages/ClusterPage";
import { DiffPage } from "./pages/DiffPage";
import { RunPage } from "./pages/RunPage";
import { SignalsPage } from "./pages/SignalsPage";
import { WorkflowPage } from "./pages/WorkflowPage";
import { WorkflowsPage } from "./pages/WorkflowsPage";

export function App() {
  const [access, setAccess] = useState(false);
  const [signedIn, setSignedIn] = useState(Boolean(token()));
  useEffect(() => onUnauthorized(() => setAccess(true)), []);
  return (
    <>
      <header className="top">
        <Link href="/" className="brand">
          Maestoso
        </Link>
        <nav aria-label="main">
          <Link href="/">Workflows</Link>
          <Link href="/signals">Signals</Link>
          <Link href="/cluster">Cluster</Link>
        </nav>
        <button type="button" className="access" onClick={() => setAccess(true)}>
          {signedIn ? "Token set" : "Access"}
        </button>
      </header>
      {access && (
        <AccessDialog
          onClose={() => {
            setAccess(false);
            setSignedIn(Boolean(token()));
          }}
        />
      )}
      <main>
        <Switch>
          <Route path="/" component={WorkflowsPage} />
          <Route path="/signals" component={SignalsPage} />
          <Route path="/cluster" component={ClusterPage} />
          <Route path="/workflows/:workflow/diff" component={DiffPage} />
          <Route path="/workflows/:workflow/instances/:instance/runs/:run/steps/:step" component={RunPage} />
          <Route path="/workflows/:workflow/instances/:instance/runs/:run" component={RunPage} />
          <Route path="/workflows/:workflow" component={WorkflowPage} />
          <Route>
            <h1>Not found</h1>
            <p>
              No page here. <Link href="/">See the workflows</Link>.
            </p>
          </Route>
        </Switch>
      </main>
    </>
  );
}
