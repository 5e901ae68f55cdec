"""涉企活动申报 (declaring activities that touch enterprises): declaration, approval, public code check, undeclared reports."""
