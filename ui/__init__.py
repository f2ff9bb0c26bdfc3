"""Streamlit helpers: ``components``, ``state``, ``cards``, ``auth``, ``present``. The pure chart and map builders
live in the ``charts`` package below this one."""
