"""The SPARQL 1.1 Protocol endpoint's parts: request reading and format choice
(``protocol``), the bounded query runner (``runner``), the service description
(``description``) and the HTML query page (``page``). The routes are in
``api.routers.sparql``.
"""
