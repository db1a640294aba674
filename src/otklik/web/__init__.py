"""The web app: server-rendered pages and the JSON API (see ``otklik.web.app.create_app``)."""
