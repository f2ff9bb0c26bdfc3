"""Page models: one pure function per page that returns exactly what the page shows (numbers with their words),
as a small frozen dataclass. No Streamlit here; views/ only lay the model out.

Layering: loaders → metrics (numbers) → wording (Dutch sentences) → models (what a page shows) → ui → views.
Two pages that show the same fact call the same function, so they cannot disagree.
"""
