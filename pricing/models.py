"""Guided-price catalogue, market plans and quotes (DESIGN §3.3): built in the pricing issue."""
