// Starts Swagger UI on our own OpenAPI document; no request leaves this server.
window.addEventListener("load", function () {
  "use strict";
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
