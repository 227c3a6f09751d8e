#pragma once
// Evidence (佐证材料) at the HTTP edge: uploads as a raw body (Content-Type, X-Filename
// percent-encoded, ?kind=), downloads with headers that keep a browser from rendering them as a
// page (docs/api.md "Evidence").
#include "adapters/http/api_calls.h"
#include "adapters/http/http_types.h"

namespace dixian::http::api {

// POST /cases/{id}/attachments and /households/{id}/visits/{visit}/attachments.
void AttachToCase(engine::Engine& e, const engine::Principal& who, Request& req, JsonDone done);
void AttachToVisit(engine::Engine& e, const engine::Principal& who, Request& req, JsonDone done);
// GET /attachments/{id}: the bytes, or the error as JSON.
Response DownloadAttachment(engine::Engine& e, const engine::Principal& who, const std::string& id);
// GET /households/{id}/visits/{visit}/attachments.
Response VisitAttachments(engine::Engine& e, const engine::Principal& who, Request& req);

// Whether a request to `path` is an upload (the server lets its body run to the upload limit).
bool IsUploadPath(std::string_view method, std::string_view path);

}  // namespace dixian::http::api
