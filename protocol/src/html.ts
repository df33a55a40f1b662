/** Escapes text for HTML content and attribute values (the readable faces of payloads). */
export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
