"""Claims and the warranty desk. Built in issue 5."""
