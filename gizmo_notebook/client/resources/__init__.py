"""``client.assets`` and ``client.scenes``: thin sync/async facades over shared flows."""
