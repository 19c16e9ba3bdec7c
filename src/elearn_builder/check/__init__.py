"""``elearn validate``: an independent reading of any SCORM, cmi5 or xAPI zip, ours or not."""
