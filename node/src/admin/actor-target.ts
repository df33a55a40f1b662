/** Longest handle or URL the form accepts (same bound as the API). */
export const TARGET_MAX = 500;
