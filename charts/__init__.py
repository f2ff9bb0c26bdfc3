"""Pure chart and map builders: functions that return an ``alt.Chart``, a ``pdk.Deck`` or plain data and know
nothing of Streamlit. Below both ``ui`` (pages) and ``reports`` (documents), so the slides, the PDF and the pages
draw from one builder and one palette."""
