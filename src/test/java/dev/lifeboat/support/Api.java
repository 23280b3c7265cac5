package dev.lifeboat.support;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** REST-assured requests as each configured test token (see the %test profile). */
public final class Api {
    public static final String VIEWER = "test-viewer";
    public static final String OPERATOR = "test-operator";
    public static final String ADMIN = "test-admin";

    private Api() {
    }

    public static RequestSpecification as(String token) {
        return RestAssured.given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    public static RequestSpecification anonymous() {
        return RestAssured.given().contentType(ContentType.JSON);
    }
}
