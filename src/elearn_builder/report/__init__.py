"""The self-assessment baseline aggregated from statements, and its report for an organisation."""
