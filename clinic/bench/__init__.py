"""`clinic bench`: a synthetic clinic at scale and the time and queries of each page and core."""
