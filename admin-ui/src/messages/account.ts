/** Strings of "My account" (own password) and of the admin's password reset. */

export const en = {
  // The setup form's button when the node already hosts its territory (only the account is made).
  "setup.submitAccount": "Create my account",
  "account.title": "My account",
  "account.signedInAs": "Signed in as {name} ({email}), {role}.",
  "account.password": "Change my password",
  "account.password.intro":
    "Your other sessions (other browsers or devices) are signed out when the password changes; this one stays open.",
  "account.currentPassword": "Current password",
  "account.newPassword": "New password",
  "account.newPasswordConfirm": "New password again",
  "account.save": "Change the password",
  "account.changed": "Your password has changed. Your other sessions were signed out.",
  "account.wrongPassword": "This is not your current password.",
  "users.resetPassword": "Set a new password",
  "users.resetPassword.label": "New password for {name}",
  "users.resetPassword.submit": "Set password",
  "users.resetPassword.done":
    "The password of {email} has changed; their sessions were signed out. Give them the new password in person or by phone.",
  "users.resetPassword.error": "The password of {name} was not changed: {message}",
} as const;

export const fr: Record<keyof typeof en, string> = {
  "setup.submitAccount": "Créer mon compte",
  "account.title": "Mon compte",
  "account.signedInAs": "Connecté·e en tant que {name} ({email}), {role}.",
  "account.password": "Changer mon mot de passe",
  "account.password.intro":
    "Vos autres sessions (autres navigateurs ou appareils) sont déconnectées quand le mot de passe change ; celle-ci reste ouverte.",
  "account.currentPassword": "Mot de passe actuel",
  "account.newPassword": "Nouveau mot de passe",
  "account.newPasswordConfirm": "Nouveau mot de passe, à nouveau",
  "account.save": "Changer le mot de passe",
  "account.changed": "Votre mot de passe a changé. Vos autres sessions ont été déconnectées.",
  "account.wrongPassword": "Ce n'est pas votre mot de passe actuel.",
  "users.resetPassword": "Définir un nouveau mot de passe",
  "users.resetPassword.label": "Nouveau mot de passe pour {name}",
  "users.resetPassword.submit": "Définir le mot de passe",
  "users.resetPassword.done":
    "Le mot de passe de {email} a changé ; ses sessions ont été déconnectées. Donnez-lui le nouveau mot de passe en personne ou par téléphone.",
  "users.resetPassword.error": "Le mot de passe de {name} n'a pas été changé : {message}",
};
