/** Strings of "My account" (own password) and of the admin's password reset. */

export const en = {
  // The setup form's button when the node already hosts its territory (only the account is made).
  "setup.submitAccount": "Create my account",
  // The one-time setup code the node prints at start (docs/facilitators-guide.md, "The workspace").
  "setup.code": "Setup code",
  "setup.code.hint":
    "The node printed it when it started, and keeps it in the file setup-code of its data directory (DATA_DIR, ./data by default), readable only by the account that runs the node. It stops working once the first account exists.",
  "setup.code.missing": "Enter the setup code.",
  "setup.code.wrong":
    "This is not the setup code. Copy it from the node's start message or from the file setup-code in its data directory.",
  "setup.code.throttled":
    "Too many wrong setup codes from your address. Try again in {minutes} min.",
  "login.addressThrottled":
    "Too many failed sign-ins from your address. Try again in {minutes} min.",
  "login.deviceThrottled":
    "Too many failed attempts from this browser. Try again in {minutes} min.",
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
  "setup.code": "Code d'installation",
  "setup.code.hint":
    "Le nœud l'a affiché à son démarrage et le garde dans le fichier setup-code de son répertoire de données (DATA_DIR, ./data par défaut), lisible seulement par le compte qui fait tourner le nœud. Il ne sert plus dès que le premier compte existe.",
  "setup.code.missing": "Saisissez le code d'installation.",
  "setup.code.wrong":
    "Ce n'est pas le code d'installation. Copiez-le depuis le message de démarrage du nœud ou depuis le fichier setup-code de son répertoire de données.",
  "setup.code.throttled":
    "Trop de codes d'installation erronés depuis votre adresse. Réessayez dans {minutes} min.",
  "login.addressThrottled":
    "Trop de connexions échouées depuis votre adresse. Réessayez dans {minutes} min.",
  "login.deviceThrottled":
    "Trop d'essais infructueux depuis ce navigateur. Réessayez dans {minutes} min.",
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
