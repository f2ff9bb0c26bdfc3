"""Documents made from the dashboard's numbers: the wethouder's briefing as PPTX and PDF (reports.briefing)."""
