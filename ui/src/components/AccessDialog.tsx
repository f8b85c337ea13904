import { useEffect, useRef, useState } from "react";
import { setToken, setUserName, token, userName } from "../lib/session";

/** The token a ``--auth token`` server needs (kept for this tab only), and the user name a
 * ``--auth none`` server takes from Maestro's ``user`` header. */
export function AccessDialog({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState(token() ?? "");
  const [user, setUser] = useState(userName());
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal?.();
  }, []);
  return (
    <dialog ref={ref} className="dialog" onClose={onClose} aria-labelledby="access-title">
      <form
        method="dialog"
        onSubmit={() => {
          setToken(value || null);
          setUserName(user);
          window.location.reload(); // every page reads again, as the new caller
        }}
      >
        <h2 id="access-title">Access</h2>
        <p className="muted">
          A server started with <code>--auth token</code> needs a token (made with{" "}
          <code>maestoso token create</code>); it is kept in this tab only. Without authentication, the user
          name is sent as the caller.
        </p>
        <label>
          Token
          <input
            type="password"
            value={value}
            autoComplete="off"
            onChange={(event) => setValue(event.target.value)}
          />
        </label>
        <label>
          User name
          <input value={user} onChange={(event) => setUser(event.target.value)} />
        </label>
        <div className="buttons">
          <button type="button" onClick={() => ref.current?.close()}>
            Cancel
          </button>
          <button type="button" onClick={() => setValue("")}>
            Forget token
          </button>
          <button type="submit" className="primary">
            Save
          </button>
        </div>
      </form>
    </dialog>
  );
}
