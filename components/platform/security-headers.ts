/**
 * The response headers every public tier sends. They live in the platform rather than with the tiers
 * because the ingress controller must also allow exactly these names through.
 */
export const securityHeaders: Readonly<Record<string, string>> = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
};

export const securityHeaderNames = Object.keys(securityHeaders);
