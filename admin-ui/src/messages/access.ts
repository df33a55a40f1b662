/** Strings of personal API tokens (account page) and of the territory switcher (top bar). */

export const en = {
  "tokens.title": "API tokens",
  "tokens.intro":
    "A personal token lets a script use the node's JSON API as you, with your role; the audit log names you. It is shown once: copy it now. Revoke a token you no longer use.",
  "tokens.label": "What it is for",
  "tokens.create": "Create a token",
  "tokens.created": "Your new token (shown only this once):",
  "tokens.none": "You have no API token.",
  "tokens.createdAt": "Created",
  "tokens.lastUsed": "Last used",
  "tokens.never": "never",
  "tokens.revoked": "revoked",
  "tokens.revoke": "Revoke",
  "tokens.revokedNotice": "The token was revoked: it no longer opens the API.",
  "tokens.labelInvalid": "Say what the token is for (1 to 80 characters).",
  "territory.label": "Territory",
  "territory.switch": "Switch",
};

export const fr: Record<keyof typeof en, string> = {
  "tokens.title": "Jetons d'API",
  "tokens.intro":
    "Un jeton personnel permet à un script d'utiliser l'API JSON du nœud en votre nom, avec votre rôle ; le journal d'audit vous nomme. Il n'est montré qu'une fois : copiez-le maintenant. Révoquez un jeton que vous n'utilisez plus.",
  "tokens.label": "À quoi il sert",
  "tokens.create": "Créer un jeton",
  "tokens.created": "Votre nouveau jeton (montré cette seule fois) :",
  "tokens.none": "Vous n'avez aucun jeton d'API.",
  "tokens.createdAt": "Créé",
  "tokens.lastUsed": "Dernier usage",
  "tokens.never": "jamais",
  "tokens.revoked": "révoqué",
  "tokens.revoke": "Révoquer",
  "tokens.revokedNotice": "Le jeton est révoqué : il n'ouvre plus l'API.",
  "tokens.labelInvalid": "Dites à quoi sert le jeton (1 à 80 caractères).",
  "territory.label": "Territoire",
  "territory.switch": "Changer",
};
