"""Records out: 台账 workbooks and charts built from what the branches logged."""
