package dev.lifeboat.api;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/** Every API operation can answer 401 (no or bad token) and 403 (role too low): say so once, here. */
public class OpenApiFilter implements OASFilter {
    @Override
    public Operation filterOperation(Operation operation) {
        APIResponses responses = operation.getResponses();
        if (responses != null) {
            responses.addAPIResponse("401", OASFactory.createAPIResponse().ref("Unauthorized"));
            responses.addAPIResponse("403", OASFactory.createAPIResponse().ref("Forbidden"));
        }
        return operation;
    }
}
