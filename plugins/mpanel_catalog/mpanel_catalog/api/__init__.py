"""REST endpoints that are not plain CRUD: quotes for staff, the catalogue for customers."""
