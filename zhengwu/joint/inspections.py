"""联合踏勘 (joint site inspections): services and their joint actions. Owned by the inspections work."""
