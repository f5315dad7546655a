/// The API's OpenAPI 3 description, served at `/api/openapi.yaml`. Written by hand beside the
/// routes in Console+API.swift; scripts/e2e/web.sh fuzzes the running API against it with
/// schemathesis, so a route or a field that drifts from it fails there.
enum OpenAPIDocument {
    static let yaml = #"""
        openapi: 3.0.3
        info:
          title: scanmilter quarantine API
          version: "1"
          description: >-
            The quarantine web console's operations for scripts: list and search entries, read
            one, download its raw message, release (rescanned first) or delete it, read the
            audit log and store counts. Authenticate as a console user (HTTP Basic, the users
            of [web] users_file) or with a bearer token from [web] api_tokens_file.
        servers:
          - url: /
        security:
          - basic: []
          - bearer: []
        paths:
          /api/messages:
            get:
              operationId: listMessages
              summary: One page of entries matching the filters, with the total.
              parameters:
                - {name: q, in: query, schema: {type: string}, description: Text in the id, queue id, sender, any recipient, subject or finding.}
                - {name: sender, in: query, schema: {type: string}}
                - {name: recipient, in: query, schema: {type: string}}
                - {name: subject, in: query, schema: {type: string}}
                - {name: finding, in: query, schema: {type: string}, description: Virus or rule name.}
                - {name: verdict, in: query, schema: {type: string}}
                - {name: host, in: query, schema: {type: string}}
                - {name: status, in: query, schema: {$ref: "#/components/schemas/Status"}}
                - {name: since, in: query, schema: {type: string, format: date}, description: "From this day (UTC), or an RFC 3339 time."}
                - {name: until, in: query, schema: {type: string, format: date}, description: "Up to the end of this day (UTC), or an RFC 3339 time."}
                - {name: order, in: query, schema: {type: string, enum: [received_at, sender, subject, size, verdict, status, host]}}
                - {name: desc, in: query, schema: {type: string, enum: ["0", "1", "true", "false"]}}
                - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 500, default: 50}}
                - {name: offset, in: query, schema: {type: integer, minimum: 0, maximum: 100000000, default: 0}}
              responses:
                "200":
                  description: A page of entries.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [total, limit, offset, entries]
                        properties:
                          total: {type: integer}
                          limit: {type: integer}
                          offset: {type: integer}
                          entries: {type: array, items: {$ref: "#/components/schemas/Entry"}}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "429": {$ref: "#/components/responses/Problem"}
          /api/messages/{id}:
            get:
              operationId: getMessage
              summary: One entry with its recipients, findings and release history.
              parameters: [{$ref: "#/components/parameters/ID"}]
              responses:
                "200": {description: The entry., content: {application/json: {schema: {$ref: "#/components/schemas/Entry"}}}}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "404": {$ref: "#/components/responses/Problem"}
                "429": {$ref: "#/components/responses/Problem"}
          /api/messages/{id}/raw:
            get:
              operationId: downloadMessage
              summary: The stored message exactly as received, as an attachment (recorded in the audit log).
              parameters: [{$ref: "#/components/parameters/ID"}]
              responses:
                "200": {description: The raw message., content: {application/octet-stream: {schema: {type: string, format: binary}}}}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "404": {$ref: "#/components/responses/Problem"}
                "409": {$ref: "#/components/responses/Problem"}
                "410": {$ref: "#/components/responses/Problem"}
                "429": {$ref: "#/components/responses/Problem"}
          /api/messages/{id}/release:
            post:
              operationId: releaseMessage
              summary: Rescan, then release to the original recipients or to `to`; `force` (with a reason) releases what the rescan still flags.
              parameters: [{$ref: "#/components/parameters/ID"}]
              requestBody:
                required: false
                content:
                  application/json:
                    schema:
                      type: object
                      properties:
                        force: {type: boolean}
                        reason: {type: string}
                        to: {type: array, items: {type: string}, minItems: 1}
              responses:
                "200": {description: "What happened: released, kept_held (the rescan finds something), refused (the relay said no) or error.", content: {application/json: {schema: {$ref: "#/components/schemas/Result"}}}}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "404": {$ref: "#/components/responses/Problem"}
                "409": {$ref: "#/components/responses/Problem"}
                "429": {$ref: "#/components/responses/Problem"}
          /api/messages/{id}/delete:
            post:
              operationId: deleteMessage
              summary: Delete a held or released entry's message (the entry stays as a record).
              parameters: [{$ref: "#/components/parameters/ID"}]
              requestBody:
                required: false
                content:
                  application/json:
                    schema: {type: object, properties: {reason: {type: string}}}
              responses:
                "200": {description: Deleted., content: {application/json: {schema: {$ref: "#/components/schemas/Result"}}}}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "404": {$ref: "#/components/responses/Problem"}
                "409": {$ref: "#/components/responses/Problem"}
                "429": {$ref: "#/components/responses/Problem"}
          /api/audit:
            get:
              operationId: listAudit
              summary: Audit records, newest first.
              parameters:
                - {name: entry_id, in: query, schema: {type: string}}
                - {name: actor, in: query, schema: {type: string}}
                - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
                - {name: offset, in: query, schema: {type: integer, minimum: 0, default: 0}}
              responses:
                "200":
                  description: Records.
                  content:
                    application/json:
                      schema: {type: object, required: [records], properties: {records: {type: array, items: {$ref: "#/components/schemas/AuditRecord"}}}}
                "400": {$ref: "#/components/responses/Problem"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "429": {$ref: "#/components/responses/Problem"}
          /api/stats:
            get:
              operationId: stats
              summary: Counts over the whole store.
              responses:
                "200":
                  description: Counts.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [entries, by_status, by_action, bytes, top_findings]
                        properties:
                          entries: {type: integer}
                          by_status: {type: object, additionalProperties: {type: integer}}
                          by_action: {type: object, additionalProperties: {type: integer}}
                          bytes: {type: integer}
                          oldest: {type: string, format: date-time}
                          newest: {type: string, format: date-time}
                          top_findings: {type: array, items: {type: object, required: [name, count], properties: {name: {type: string}, count: {type: integer}}}}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "429": {$ref: "#/components/responses/Problem"}
        components:
          securitySchemes:
            basic: {type: http, scheme: basic}
            bearer: {type: http, scheme: bearer}
          parameters:
            ID: {name: id, in: path, required: true, schema: {type: string}, description: The entry id.}
          responses:
            Problem:
              description: An error with a code and a message.
              content:
                application/json:
                  schema: {type: object, required: [error], properties: {error: {type: string}, message: {type: string}}}
            Unauthorized:
              description: No or wrong credentials.
              headers: {WWW-Authenticate: {schema: {type: string}}}
              content:
                application/json:
                  schema: {type: object, required: [error], properties: {error: {type: string}, message: {type: string}}}
          schemas:
            Status: {type: string, enum: [held, releasing, released, deleted]}
            Address:
              type: object
              required: [address, parameters]
              properties: {address: {type: string}, parameters: {type: array, items: {type: string}}}
            Release:
              type: object
              required: [at, by, recipients, relay, reply, delivered]
              properties:
                at: {type: string, format: date-time}
                by: {type: string}
                recipients: {type: array, items: {type: string}}
                relay: {type: string}
                reply: {type: string}
                delivered: {type: boolean}
            Entry:
              type: object
              required: [id, received_at, queue_id, client_address, client_helo, sender, recipients, subject, size, sha256, verdict, findings, action, status, status_reason, status_changed_at, signature_version, host, releases]
              properties:
                id: {type: string}
                received_at: {type: string, format: date-time}
                queue_id: {type: string}
                client_address: {type: string}
                client_helo: {type: string}
                sender: {$ref: "#/components/schemas/Address"}
                recipients: {type: array, items: {$ref: "#/components/schemas/Address"}}
                subject: {type: string}
                size: {type: integer}
                sha256: {type: string}
                verdict: {type: string}
                findings: {type: array, items: {type: string}}
                action: {type: string, enum: [quarantine, hold]}
                status: {$ref: "#/components/schemas/Status"}
                status_reason: {type: string}
                status_changed_at: {type: string, format: date-time}
                signature_version: {type: string}
                postfix_config_directory: {type: string}
                host: {type: string}
                releases: {type: array, items: {$ref: "#/components/schemas/Release"}}
            Result:
              type: object
              required: [id, result, reason, reply]
              properties:
                id: {type: string}
                result: {type: string, enum: [released, kept_held, refused, error, deleted]}
                reason: {type: string}
                reply: {type: string}
            AuditRecord:
              type: object
              required: [at, actor, action, origin, detail]
              properties:
                at: {type: string, format: date-time}
                actor: {type: string}
                action: {type: string}
                entry_id: {type: string}
                origin: {type: string}
                detail: {type: string}
        """#
}
