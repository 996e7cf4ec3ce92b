"""``gxllm serve``: the HTTP API and the reviewers' web app over the store.

- :mod:`.app`: the FastAPI app factory, :func:`create_app`;
- :mod:`.api`: the JSON API under ``/api`` (spec at ``/api/openapi.json``);
- :mod:`.ui`: the review pages (Jinja2 templates, htmx), :mod:`.views` what they show;
- :mod:`.queue`: the review queue query; :mod:`.review`: a record's state and the decisions on its flags;
- :mod:`.dashboard`: the dashboard's figures (the page ``/dashboard``, the API ``/api/dashboard``);
- :mod:`.auth`: passwords, sessions, CSRF, API tokens; :mod:`.throttle`: failed log-ins per name and client;
- :mod:`.uploads` and :mod:`.jobs`: uploads and their extraction on a pool of worker processes;
- :mod:`.params`: ids, pages and years in paths and queries, bounded to what the store holds;
- :mod:`.cli`: the ``serve`` and ``users`` commands.
"""
