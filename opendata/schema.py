"""Read the OpenAPI schema into tables a person can read: the API docs page and
the open-data page's data dictionary are built from it, so they cannot drift
from what the API serves."""


def describe(schema):
    """Return (operations, components) from an OpenAPI 3 schema dict.

    operations: [{path, method, summary, description, parameters, responses}]
    components: [{name, description, fields: [{name, type, ref, description}]}]
    where `type` is words ("list of", "string (uri)") and `ref` the name of a
    component the type refers to, or "".
    """
    schemas = schema.get("components", {}).get("schemas", {})
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            operations.append(
                {
                    "path": path,
                    "method": method.upper(),
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [_parameter(p, schemas) for p in operation.get("parameters", [])],
                    "responses": [
                        {"status": status, **_type(_body(response), schemas)}
                        for status, response in operation.get("responses", {}).items()
                    ],
                }
            )
    components = [
        {
            "name": name,
            "description": component.get("description", ""),
            "fields": [
                {"name": field, "description": prop.get("description", ""), **_type(prop, schemas)}
                for field, prop in component.get("properties", {}).items()
            ],
        }
        for name, component in schemas.items()
        if "properties" in component and not name.startswith("Paginated")
    ]
    return operations, components


def _body(response):
    content = response.get("content", {})
    return content.get("application/json", {}).get("schema", {})


def _parameter(parameter, schemas):
    return {
        "name": parameter["name"],
        "location": parameter.get("in", ""),
        "required": parameter.get("required", False),
        "description": parameter.get("description", ""),
        **_type(parameter.get("schema", {}), schemas),
    }


def _type(prop, schemas):
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        target = schemas.get(name, {})
        if "enum" in target:
            return {"type": _enum(target["enum"]), "ref": ""}
        if name.startswith("Paginated"):
            inner = target["properties"]["results"]["items"]
            return {"type": "page of", "ref": _type(inner, schemas)["ref"]}
        return {"type": "", "ref": name}
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in prop:
            parts = [_type(p, schemas) for p in prop[combined]]
            real = [p for p in parts if p["type"] != "null"]
            found = real[0] if real else {"type": "", "ref": ""}
            if len(real) < len(parts):
                found = {**found, "type": f"{found['type']} or null".strip()}
            return found
    if "enum" in prop:
        return {"type": _enum(prop["enum"]), "ref": ""}
    if prop.get("type") == "array":
        inner = _type(prop.get("items", {}), schemas)
        return {"type": f"list of {inner['type']}".strip(), "ref": inner["ref"]}
    words = prop.get("type", "object")
    if isinstance(words, list):
        words = " or ".join(words)
    if "format" in prop:
        words += f" ({prop['format']})"
    if prop.get("nullable"):
        words += " or null"
    return {"type": words, "ref": ""}


def _enum(values):
    shown = [str(v) for v in values if v not in (None, "")]
    return "one of: " + ", ".join(shown) if shown else "null"
