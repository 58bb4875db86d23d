"""SCIM 2.0 provisioning of the people directory (/scim/v2/): HR systems such as Entra ID
and Okta create, update and deactivate employees here with a bearer token.

scim2-models (the python-scim project, whose scim2-tester checks this endpoint in CI) does
the protocol: parsing and validating payloads per operation, PATCH, filters, attribute
selection and the discovery documents. This package only maps its User resource onto
Employee and writes through the directory's services. See docs/scim.md.
"""
