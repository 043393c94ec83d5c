"""Contracts: the protection plans shoppers own (checkout, lifecycle, refunds). Built in issue 3."""
