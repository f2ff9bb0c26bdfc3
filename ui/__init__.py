"""UI helpers. `charts` and `maps` are pure builders (no Streamlit); `components` and `state` use Streamlit."""
