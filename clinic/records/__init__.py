"""Records: the checklist each case needs, record requests, secure uploads and verification."""
