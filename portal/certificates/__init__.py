"""Certificates: codes, stored snapshots, the PDF, the Open Badges 3.0 credential and its status lists.

Database-free core (the models, routes, issuing and API are wired elsewhere):

* ``codes``        -- human-typable certificate codes with a check character (``generate_code``, ``normalise_code``)
* ``snapshot``     -- ``CertificateSnapshot``: every field a certificate shows, frozen and stored as canonical JSON
* ``pdf``          -- ``render_certificate_pdf(snapshot) -> bytes`` (pure, byte-reproducible, one A4 page)
* ``keys``         -- Ed25519 keys, ``KeyRing`` (sign with the current key, verify with all), JWKS, compact JWS
* ``credentials``  -- ``build_credential`` / ``issue_credential`` / ``verify_credential`` (OB 3.0, VC 2.0)
* ``status_list``  -- W3C Bitstring Status List for revocation and suspension, signed like the credentials
"""
