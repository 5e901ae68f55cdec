"""公开承诺 (public commitments): departments' and windows' published service standards, versions, broken-commitment complaints."""
