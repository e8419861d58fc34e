/**
 * The response headers every public tier sends. They live in the platform rather than with the tiers
 * because the ingress controller must also allow exactly these names through.
 *
 * X-XSS-Protection is left out on purpose: browsers have dropped the XSS auditor it switched on, and
 * in the old browsers that still honour it, its filtering could be abused to introduce cross-site
 * scripting. The Content-Security-Policy below is what replaces it.
 */
export const securityHeaders: Readonly<Record<string, string>> = {
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    // frame-ancestors 'self' says in CSP what X-Frame-Options SAMEORIGIN says to older browsers; newer ones obey CSP.
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'; base-uri 'none'",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
};

export const securityHeaderNames = Object.keys(securityHeaders);
