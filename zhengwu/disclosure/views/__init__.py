"""Pages of 政务公开: the public portal, the applicant's pages and the staff workbench."""
