"""XML namespaces of EPP (RFC 5730-5733) and the RGP extension (RFC 3915)."""

EPP = "urn:ietf:params:xml:ns:epp-1.0"
DOMAIN = "urn:ietf:params:xml:ns:domain-1.0"
HOST = "urn:ietf:params:xml:ns:host-1.0"
CONTACT = "urn:ietf:params:xml:ns:contact-1.0"
RGP = "urn:ietf:params:xml:ns:rgp-1.0"

OBJECT_URIS = (DOMAIN, HOST, CONTACT)
PREFIXES = {EPP: "epp", DOMAIN: "domain", HOST: "host", CONTACT: "contact", RGP: "rgp"}
# Prefix map for lxml find()/findall() paths.
NSMAP = {prefix: uri for uri, prefix in PREFIXES.items()}
