"""Orders and checkout: services and domains priced by the catalogue, the first invoice."""
