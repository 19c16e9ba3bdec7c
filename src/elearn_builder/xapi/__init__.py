"""The programme's xAPI Profile, statements checked against it, and the analyst's LRS tools."""
