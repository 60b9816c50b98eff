"""The package version, alone in a leaf module.

Modules that need it (the client's User-Agent, ``gizmo-notebook --version``) import it from here,
not from the package root: importing the root from inside the package is an arrow pointing back
up. ``pyproject.toml`` reads this file too (``[tool.hatch.version]``), so there is one place to bump.
"""

__version__ = "0.1.0"
