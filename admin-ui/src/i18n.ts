/**
 * Interface strings of the facilitator workspace, in English and French. Every page takes a
 * `t` function; the language comes from the `lang` cookie, then the browser's Accept-Language.
 * Add a key to `en` first: the type makes `fr` (and any later language) list it too.
 */

export const LANGUAGES = ["en", "fr"] as const;
export type Lang = (typeof LANGUAGES)[number];

const en = {
  "app.title": "Facilitator workspace",
  "app.node": "Spiral Network",
  "lang.switch": "Français",
  "nav.home": "Home",
  "nav.users": "Users",
  "nav.signOut": "Sign out",
  "nav.publicSite": "Public page",
  "field.email": "Email",
  "field.name": "Name",
  "field.password": "Password",
  "field.passwordConfirm": "Password again",
  "field.role": "Role",
  "field.territoryName": "Territory name",
  "field.slug": "Short name (used in addresses)",
  "field.country": "Country (two-letter code, e.g. FR)",
  "field.region": "Region (optional, e.g. FR-GES or a name)",
  "field.languages": "Languages spoken in the groups (codes separated by commas, e.g. fr, en)",
  "hint.slug": "Lower-case letters, digits and dashes, e.g. mulhouse. It cannot change later.",
  "hint.password": "At least {min} characters. A sentence of several words is easy to remember.",
  "role.admin": "Admin",
  "role.facilitator": "Facilitator",
  "role.viewer": "Viewer",
  "role.admin.help": "everything, including accounts",
  "role.facilitator.help": "enters, classifies and publishes criteria",
  "role.viewer.help": "reads only",
  "error.summary": "Please correct the fields marked below.",
  "error.required": "Required.",
  "error.email": "Enter a valid email address.",
  "error.emailTaken": "This email already has an account.",
  "error.password": "At least {min} characters.",
  "error.passwordMismatch": "The two passwords differ.",
  "error.slug":
    "1 to 64 lower-case letters, digits and dashes, starting and ending with a letter or digit.",
  "error.country": "A two-letter ISO country code such as FR, BE or PT.",
  "error.region": "At most 100 characters.",
  "error.languages": "One or more language codes such as fr or pt-BR, separated by commas.",
  "error.role": "Choose a role.",
  "error.invalid": "This value is not accepted.",
  "setup.title": "Set up this node",
  "setup.intro":
    "Welcome. Describe your territory and create the first admin account. You can add facilitators afterwards.",
  "setup.territory": "Your territory",
  "setup.territoryExists": "This node already hosts {name}. Create the first admin account.",
  "setup.account": "First admin account",
  "setup.submit": "Create the territory and my account",
  "login.title": "Sign in",
  "login.submit": "Sign in",
  "login.failed": "Wrong email or password.",
  "login.throttled":
    "Too many failed attempts for this account. Wait {minutes} minutes and try again.",
  "login.signedOut": "You are signed out.",
  "home.title": "Workspace",
  "home.signedInAs": "Signed in as {name} ({role}).",
  "home.territory": "Territory",
  "home.noTerritory": "This node does not host a territory yet.",
  "home.languages": "Languages",
  "home.next": "Your work",
  "home.soon": "coming soon",
  "home.groups": "Groups and sessions",
  "home.criteria": "Criteria entry",
  "home.classification": "Classification with the grid",
  "home.synthesis": "Synthesis and charts",
  "home.publish": "Publish",
  "home.users": "Users and roles",
  "users.title": "Users",
  "users.intro": "Who can sign in to this workspace, and what each can do.",
  "users.none": "No users.",
  "users.disabled": "disabled",
  "users.you": "you",
  "users.create": "Create an account",
  "users.createSubmit": "Create the account",
  "users.created":
    "Account created for {email}. Give them their password in person or by phone, not by email.",
  "users.changeRole": "Change role",
  "users.disable": "Disable",
  "users.updated": "Account updated.",
  "users.conflict": "Not done: the node needs at least one active admin.",
  "forbidden.title": "Not allowed",
  "forbidden.role": "Your role ({role}) cannot do this. Ask an admin of the node.",
  "csrf.title": "This form has expired",
  "csrf.body":
    "The form was sent without its security token, or with an old one (for instance after signing out in another tab). Nothing was changed. Go back, reload the page and send it again.",
  "csrf.back": "Back to the workspace",
  "badRequest.title": "Request not understood",
  "badRequest.body": "The form could not be read. Reload the page and try again.",
  "server.title": "Something went wrong",
  "server.body":
    "The node could not complete this request; it has been logged. Try again, or tell the node's operator.",
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;

const fr: Messages = {
  "app.title": "Espace des animateurs",
  "app.node": "Réseau Spiral",
  "lang.switch": "English",
  "nav.home": "Accueil",
  "nav.users": "Utilisateurs",
  "nav.signOut": "Se déconnecter",
  "nav.publicSite": "Page publique",
  "field.email": "Adresse e-mail",
  "field.name": "Nom",
  "field.password": "Mot de passe",
  "field.passwordConfirm": "Mot de passe (confirmation)",
  "field.role": "Rôle",
  "field.territoryName": "Nom du territoire",
  "field.slug": "Nom court (utilisé dans les adresses)",
  "field.country": "Pays (code à deux lettres, ex. FR)",
  "field.region": "Région (facultatif, ex. FR-GES ou un nom)",
  "field.languages":
    "Langues parlées dans les groupes (codes séparés par des virgules, ex. fr, en)",
  "hint.slug": "Lettres minuscules, chiffres et tirets, ex. mulhouse. Il ne pourra plus changer.",
  "hint.password": "Au moins {min} caractères. Une phrase de plusieurs mots se retient facilement.",
  "role.admin": "Administrateur",
  "role.facilitator": "Animateur",
  "role.viewer": "Lecteur",
  "role.admin.help": "tout, y compris les comptes",
  "role.facilitator.help": "saisit, classe et publie les critères",
  "role.viewer.help": "lecture seule",
  "error.summary": "Merci de corriger les champs signalés ci-dessous.",
  "error.required": "Obligatoire.",
  "error.email": "Saisissez une adresse e-mail valide.",
  "error.emailTaken": "Cette adresse a déjà un compte.",
  "error.password": "Au moins {min} caractères.",
  "error.passwordMismatch": "Les deux mots de passe diffèrent.",
  "error.slug":
    "1 à 64 lettres minuscules, chiffres et tirets, commençant et finissant par une lettre ou un chiffre.",
  "error.country": "Un code pays ISO à deux lettres, comme FR, BE ou PT.",
  "error.region": "100 caractères au plus.",
  "error.languages": "Un ou plusieurs codes de langue comme fr ou pt-BR, séparés par des virgules.",
  "error.role": "Choisissez un rôle.",
  "error.invalid": "Cette valeur n'est pas acceptée.",
  "setup.title": "Installer ce nœud",
  "setup.intro":
    "Bienvenue. Décrivez votre territoire et créez le premier compte administrateur. Vous pourrez ajouter des animateurs ensuite.",
  "setup.territory": "Votre territoire",
  "setup.territoryExists": "Ce nœud héberge déjà {name}. Créez le premier compte administrateur.",
  "setup.account": "Premier compte administrateur",
  "setup.submit": "Créer le territoire et mon compte",
  "login.title": "Connexion",
  "login.submit": "Se connecter",
  "login.failed": "Adresse e-mail ou mot de passe incorrect.",
  "login.throttled":
    "Trop d'essais infructueux pour ce compte. Attendez {minutes} minutes puis réessayez.",
  "login.signedOut": "Vous êtes déconnecté.",
  "home.title": "Espace de travail",
  "home.signedInAs": "Connecté en tant que {name} ({role}).",
  "home.territory": "Territoire",
  "home.noTerritory": "Ce nœud n'héberge pas encore de territoire.",
  "home.languages": "Langues",
  "home.next": "Votre travail",
  "home.soon": "bientôt",
  "home.groups": "Groupes et séances",
  "home.criteria": "Saisie des critères",
  "home.classification": "Classement avec la grille",
  "home.synthesis": "Synthèse et graphiques",
  "home.publish": "Publication",
  "home.users": "Utilisateurs et rôles",
  "users.title": "Utilisateurs",
  "users.intro": "Qui peut se connecter à cet espace, et ce que chacun peut faire.",
  "users.none": "Aucun utilisateur.",
  "users.disabled": "désactivé",
  "users.you": "vous",
  "users.create": "Créer un compte",
  "users.createSubmit": "Créer le compte",
  "users.created":
    "Compte créé pour {email}. Transmettez le mot de passe en personne ou par téléphone, pas par e-mail.",
  "users.changeRole": "Changer le rôle",
  "users.disable": "Désactiver",
  "users.updated": "Compte mis à jour.",
  "users.conflict": "Non effectué : le nœud doit garder au moins un administrateur actif.",
  "forbidden.title": "Action non autorisée",
  "forbidden.role":
    "Votre rôle ({role}) ne permet pas cette action. Demandez à un administrateur du nœud.",
  "csrf.title": "Ce formulaire a expiré",
  "csrf.body":
    "Le formulaire a été envoyé sans son jeton de sécurité, ou avec un jeton périmé (par exemple après une déconnexion dans un autre onglet). Rien n'a été modifié. Revenez en arrière, rechargez la page et renvoyez-le.",
  "csrf.back": "Retour à l'espace de travail",
  "badRequest.title": "Requête incomprise",
  "badRequest.body": "Le formulaire n'a pas pu être lu. Rechargez la page et réessayez.",
  "server.title": "Une erreur est survenue",
  "server.body":
    "Le nœud n'a pas pu traiter cette demande ; l'erreur a été enregistrée. Réessayez, ou prévenez la personne qui gère le nœud.",
};

const MESSAGES: Record<Lang, Messages> = { en, fr };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** The translation function of a language: `{name}` placeholders are filled from `params`. */
export function translator(lang: Lang): Translate {
  const messages = MESSAGES[lang];
  return (key, params) =>
    messages[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      params && name in params ? String(params[name]) : whole,
    );
}

export const isLang = (value: unknown): value is Lang =>
  typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);

/**
 * The interface language: an explicit choice (the `lang` cookie) wins, then the first supported
 * language of the Accept-Language header by quality, then English.
 */
export function pickLanguage(cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(cookie)) return cookie;
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { base: tag.toLowerCase().split("-")[0] ?? "", q: q ? Number(q) : 1, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((entry) => entry.base).find(isLang) ?? "en";
}
