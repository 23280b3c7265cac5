package dev.lifeboat.api;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.parameters.RequestBody;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * Every API operation can answer 401 (no or bad token) and 403 (role too low): say so once, here. And
 * every description is Markdown to Swagger UI, where a bare {@code <id>} is swallowed as an HTML tag:
 * {@code <} and {@code >} outside code spans become {@code &lt;} and {@code &gt;}.
 */
public class OpenApiFilter implements OASFilter {
    @Override
    public Operation filterOperation(Operation operation) {
        APIResponses responses = operation.getResponses();
        if (responses != null) {
            responses.addAPIResponse("401", OASFactory.createAPIResponse().ref("Unauthorized"));
            responses.addAPIResponse("403", OASFactory.createAPIResponse().ref("Forbidden"));
        }
        operation.setDescription(escape(operation.getDescription()));
        operation.setSummary(escape(operation.getSummary()));
        return operation;
    }

    @Override
    public Parameter filterParameter(Parameter parameter) {
        parameter.setDescription(escape(parameter.getDescription()));
        return parameter;
    }

    @Override
    public RequestBody filterRequestBody(RequestBody requestBody) {
        requestBody.setDescription(escape(requestBody.getDescription()));
        return requestBody;
    }

    @Override
    public APIResponse filterAPIResponse(APIResponse response) {
        response.setDescription(escape(response.getDescription()));
        return response;
    }

    @Override
    public Schema filterSchema(Schema schema) {
        schema.setDescription(escape(schema.getDescription()));
        return schema;
    }

    @Override
    public SecurityScheme filterSecurityScheme(SecurityScheme scheme) {
        scheme.setDescription(escape(scheme.getDescription()));
        return scheme;
    }

    /** {@code <} and {@code >} as HTML entities, except inside {@code `code spans`} (where Markdown shows them as they are). */
    static String escape(String markdown) {
        if (markdown == null || markdown.indexOf('<') < 0 && markdown.indexOf('>') < 0) {
            return markdown;
        }
        StringBuilder out = new StringBuilder(markdown.length() + 16);
        boolean inCode = false;
        for (int i = 0; i < markdown.length(); i++) {
            char c = markdown.charAt(i);
            if (c == '`') {
                inCode = !inCode;
            }
            if (!inCode && c == '<') {
                out.append("&lt;");
            } else if (!inCode && c == '>') {
                out.append("&gt;");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
