"""Joint-case services: apply for a bundle, accept for all, opinions, rulings, the combined result."""
