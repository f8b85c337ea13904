"""An example Maestoso plugin: the ``Echo`` step type and the ``file_drop`` signal source."""
