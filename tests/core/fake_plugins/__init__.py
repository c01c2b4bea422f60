"""Small plugins the loader tests offer through a fake entry-point source (they are not installed)."""
