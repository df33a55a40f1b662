/**
 * Interface strings of the workspace and the public pages. Every page takes a `t` function; the
 * language comes from `?lang=`, then the `lang` cookie, then the browser's Accept-Language.
 *
 * English defines the keys: the core strings below and one `en` object per area of the
 * workspace in `messages/<area>.ts`, beside its French (`fr`). Every other language is one file,
 * `languages/<code>.ts`, holding a `LanguageFile`: its name, writing direction, locale, whether
 * its translation still waits for review, and one object per area typed with that area's
 * English keys, so a missing or unknown key fails the type-check at the area it belongs to
 * (docs/development.md, "Adding a language").
 */

import { ar } from "./languages/ar";
import { es } from "./languages/es";
import { it } from "./languages/it";
import { pt } from "./languages/pt";
import * as access from "./messages/access";
import * as account from "./messages/account";
import * as classify from "./messages/classify";
import * as criteria from "./messages/criteria";
import * as figures from "./messages/figures";
import * as grid from "./messages/grid";
import * as meetings from "./messages/meetings";
import * as network from "./messages/network";
import * as operations from "./messages/operations";
import * as progress from "./messages/progress";
import * as publicPages from "./messages/public";
import * as publishing from "./messages/publishing";
import * as subnetworks from "./messages/subnetworks";
import * as syntheses from "./messages/syntheses";

/** The interface languages, in the order the language switch lists them. */
export const LANGUAGES = ["en", "fr", "pt", "es", "it", "ar"] as const;
export type Lang = (typeof LANGUAGES)[number];

const coreEn = {
  "app.title": "Facilitator workspace",
  "app.node": "Spiral Network",
  "lang.choose": "Language",
  "lang.toReview": "translation to review",
  "nav.home": "Home",
  "nav.users": "Users",
  "nav.signOut": "Sign out",
  "nav.publicSite": "Public page",
  "nav.synthesis": "Synthesis",
  "nav.network": "Network",
  "nav.figures": "Figures",
  "nav.calendar": "Calendar",
  "nav.account": "My account",
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
    "Welcome. Enter the setup code the node printed, describe your territory and create the first admin account. You can add facilitators afterwards.",
  "setup.territory": "Your territory",
  "setup.territoryExists":
    "This node already hosts {name}. Enter the setup code the node printed and create the first admin account.",
  "setup.account": "First admin account",
  "setup.submit": "Create the territory and my account",
  "login.title": "Sign in",
  "login.submit": "Sign in",
  "login.failed": "Wrong email or password.",
  "login.throttled":
    "Too many failed attempts for this account: sign-in to it is paused. Try again in {minutes} min, or from a browser where you signed in to it before.",
  "login.signedOut": "You are signed out.",
  "home.title": "Workspace",
  "home.signedInAs": "Signed in as {name} ({role}).",
  "home.territory": "Territory",
  "home.noTerritory": "This node does not host a territory yet.",
  "home.languages": "Languages",
  /** Put between a label and its value: French sets a (non-breaking) space before the colon. */
  "punct.colon": ":",
  "home.next": "Your work",
  "home.groups": "Groups and sessions",
  "home.criteria": "Criteria entry",
  "home.classification": "Classification with the grid",
  "home.synthesis": "Synthesis and charts",
  "home.publish": "Preview and publish the synthesis",
  "home.import": "Import criteria from a spreadsheet (CSV)",
  "home.network": "Follow territories and sub-networks, received syntheses",
  "home.subnetworks": "Thematic sub-networks: host one, join one",
  "home.figures": "Network figures",
  "home.calendar": "Meetings calendar",
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
  "nav.groups": "Groups",
  "question.Q1": "Q1 — What does well-being mean to you?",
  "question.Q2": "Q2 — What does ill-being mean to you?",
  "question.Q3":
    "Q3 — What do you do, or could you do, for your own well-being and the well-being of all?",
  "question.Q4": "Q4 — What should be done together?",
  "question.short.Q1": "Well-being",
  "question.short.Q2": "Ill-being",
  "question.short.Q3": "What you do, or could do",
  "question.short.Q4": "What should be done together",
  "gender.female": "Women",
  "gender.male": "Men",
  "gender.other-or-undisclosed": "Other or not said",
  "age.under-18": "Under 18",
  "age.18-29": "18–29",
  "age.30-44": "30–44",
  "age.45-64": "45–64",
  "age.65-plus": "65 and over",
  "groups.title": "Groups and sessions",
  "groups.intro":
    "Each homogeneous group meets in one or more sessions and writes its criteria on sticky notes. Create the group, then enter its criteria question by question.",
  "groups.none": "No groups yet.",
  "groups.noTerritory": "This node hosts no territory yet: groups belong to a territory.",
  "groups.create": "Create a group",
  "groups.createTitle": "New group",
  "groups.editTitle": "Edit the group {label}",
  "groups.edit": "Edit",
  "groups.enterCriteria": "Enter criteria",
  "groups.save": "Save the group",
  "groups.created": "Group {label} created. Enter its criteria below.",
  "groups.updated": "Group saved.",
  "groups.back": "Back to the groups",
  "groups.col.label": "Group",
  "groups.col.category": "Category",
  "groups.col.sessions": "Sessions",
  "groups.col.participants": "Participants",
  "groups.col.criteria": "Criteria",
  "groups.col.actions": "Actions",
  "group.label": "Name of the group",
  "group.category": "Category",
  "group.sessionDates": "Session dates",
  "group.sessionDates.hint": "One or more dates as YYYY-MM-DD, separated by commas or spaces.",
  "group.participants": "Number of participants",
  "group.cycle": "SPIRAL cycle",
  "group.cycle.hint": "0 for a first cycle, up to 3.",
  "group.margins": "Who took part (optional)",
  "group.margins.hint":
    "Counts only, never names. Leave empty what you did not record; each total must not exceed the participants.",
  "group.margins.gender": "By gender",
  "group.margins.age": "By age",
  "group.notes": "Private notes",
  "group.notes.hint": "Stay on this node; never published.",
  "error.label": "Give the group a name (200 characters at most).",
  "error.category": "Choose a category from the list.",
  "error.sessionDates": "Enter at least one valid date as YYYY-MM-DD (50 at most).",
  "error.participants": "A whole number from 1 to 10,000.",
  "error.cycle": "Choose a cycle from 0 to 3.",
  "error.count": "A whole number from 0 to 10,000.",
  "error.marginsTotal": "These counts add up to more than the participants.",
  "error.notes": "At most 10,000 characters.",
  "error.language": "A language code such as fr or pt-BR.",
  "error.criterionEmpty": "The criterion is empty.",
  "error.criterionLong": "A criterion is one idea: 2000 characters at most.",
  "error.pasteEmpty": "Paste at least one line.",
  "error.line": "Line {line}: {message}",
  "error.linesSummary": "Nothing was saved: {count} line(s) to correct.",
  "criteria.title": "Criteria of {label}",
  "criteria.questions": "Questions",
  "criteria.listTitle": "Criteria entered for this question ({count})",
  "criteria.none": "No criteria for this question yet.",
  "criteria.text": "New criterion",
  "criteria.text.hint":
    "Type one sticky note and press Enter; the field is ready for the next one.",
  "criteria.add": "Add",
  "criteria.added": "Criterion added.",
  "criteria.addedMany": "{count} criteria added.",
  "criteria.deleted": "Criterion deleted.",
  "criteria.delete": "Delete",
  "criteria.language": "Language",
  "criteria.language.hint":
    "The language the criteria are written in: the last one used is chosen, change it when the group changes language.",
  "criteria.pasteMode": "Paste many lines",
  "criteria.singleMode": "One at a time",
  "criteria.lines": "Criteria, one per line",
  "criteria.lines.hint":
    "Empty lines are skipped. If a line is wrong nothing is saved and the line is shown.",
  "criteria.addLines": "Add these criteria",
  "criteria.readOnly": "Your role can read the criteria but not change them.",
  "criteria.status.unclassified": "not classified",
  "criteria.status.proposed": "proposed",
  "criteria.status.validated": "validated",
  "nav.classify": "Classification",
  "classify.title": "Classification",
  "classify.tabs": "Classification views",
  "classify.tab.queue": "To classify ({count})",
  "classify.tab.review": "To review ({count})",
  "classify.readOnly": "Your role can see the queue but not classify.",
  "classify.focus": "Criterion to classify",
  "classify.group": "Group",
  "classify.code": "SPIRAL code",
  "classify.code.hint":
    "A component (A01), with a sense (A01/P15), a sub-object and a beneficiary (A01-11/P15/k). Pick it below if unsure.",
  "classify.propose": "Propose",
  "classify.validate": "Validate",
  "classify.skip": "Skip",
  "classify.keys":
    "Enter proposes. Keyboard shortcuts (with your browser's access key): P propose, V validate, S skip.",
  "classify.empty": "Nothing left to classify: every criterion has a code.",
  "classify.error.summary": "This code was not saved.",
  "classify.error.empty": "Type a code, or pick one in the grid below.",
  "classify.picker": "The grid",
  "classify.recent": "Recently used codes",
  "classify.search": "Search the grid",
  "classify.search.hint":
    "A code (A0, a03) or everyday words in any language of the interface (housing, doctor, bus).",
  "classify.searchSubmit": "Search",
  "classify.results": "{count} component(s) for “{q}”",
  "classify.allComponents": "All components",
  "classify.noResults": "No component matches. Try another word or a code.",
  "classify.provisional": "provisional",
  "classify.queue": "Next criteria ({shown} of {total})",
  "classify.saved": "Classified as {code}.",
  "classify.skipped": "Skipped.",
  "classify.validatedMany": "{count} classification(s) validated.",
  "classify.review.none": "No proposed classification waits for review.",
  "classify.review.intro":
    "Proposed classifications ({shown} shown of {total}). Check them with the group, then validate.",
  "classify.validateShown": "Validate all shown ({count})",
  "classify.col.criterion": "Criterion",
  "classify.col.code": "Proposed code",
  "classify.col.group": "Question and group",
  "forbidden.title": "Not allowed",
  "forbidden.role": "Your role ({role}) cannot do this. Ask an admin of the node.",
  "csrf.title": "This form has expired",
  "csrf.body":
    "The form was sent without its security token, or with an old one (for instance after signing out in another tab). Nothing was changed. Go back, reload the page and send it again.",
  "csrf.back": "Back to the workspace",
  "badRequest.title": "Request not understood",
  "notFound.title": "Page not found",
  "notFound.body":
    "This page does not exist, or what it showed was deleted. Check the address, or start again from the workspace.",
  "badRequest.body": "The form could not be read. Reload the page and try again.",
  "server.title": "Something went wrong",
  "server.body":
    "The node could not complete this request; it has been logged. Try again, or tell the node's operator.",
} as const;

const coreFr: Record<keyof typeof coreEn, string> = {
  "app.title": "Espace des animateurs",
  "app.node": "Réseau Spirale",
  "lang.choose": "Langue",
  "lang.toReview": "traduction à relire",
  "nav.home": "Accueil",
  "nav.users": "Utilisateurs",
  "nav.signOut": "Se déconnecter",
  "nav.publicSite": "Page publique",
  "nav.synthesis": "Synthèse",
  "nav.network": "Réseau",
  "nav.figures": "Chiffres",
  "nav.calendar": "Agenda",
  "nav.account": "Mon compte",
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
    "Bienvenue. Saisissez le code d'installation affiché par le nœud, décrivez votre territoire et créez le premier compte administrateur. Vous pourrez ajouter des animateurs ensuite.",
  "setup.territory": "Votre territoire",
  "setup.territoryExists":
    "Ce nœud héberge déjà {name}. Saisissez le code d'installation affiché par le nœud et créez le premier compte administrateur.",
  "setup.account": "Premier compte administrateur",
  "setup.submit": "Créer le territoire et mon compte",
  "login.title": "Connexion",
  "login.submit": "Se connecter",
  "login.failed": "Adresse e-mail ou mot de passe incorrect.",
  "login.throttled":
    "Trop d'essais infructueux pour ce compte : la connexion y est suspendue. Réessayez dans {minutes} min, ou depuis un navigateur où vous vous y êtes déjà connecté·e.",
  "login.signedOut": "Vous êtes déconnecté.",
  "home.title": "Espace de travail",
  "home.signedInAs": "Connecté·e en tant que {name} ({role}).",
  "home.territory": "Territoire",
  "home.noTerritory": "Ce nœud n'héberge pas encore de territoire.",
  "home.languages": "Langues",
  "punct.colon": "\u00a0:",
  "home.next": "Votre travail",
  "home.groups": "Groupes et séances",
  "home.criteria": "Saisie des critères",
  "home.classification": "Classement avec la grille",
  "home.synthesis": "Synthèse et graphiques",
  "home.publish": "Aperçu et publication de la synthèse",
  "home.import": "Importer des critères depuis un tableur (CSV)",
  "home.network": "Suivre des territoires et des sous-réseaux, synthèses reçues",
  "home.subnetworks": "Sous-réseaux thématiques : en héberger un, en rejoindre un",
  "home.figures": "Chiffres du réseau",
  "home.calendar": "Agenda des rencontres",
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
  "nav.groups": "Groupes",
  "question.Q1": "Q1 — Qu'est-ce que le bien-être pour vous ?",
  "question.Q2": "Q2 — Qu'est-ce que le mal-être pour vous ?",
  "question.Q3":
    "Q3 — Que faites-vous ou que pouvez-vous faire pour votre bien-être et celui de tous ?",
  "question.Q4": "Q4 — Que faudrait-il faire ensemble ?",
  "question.short.Q1": "Bien-être",
  "question.short.Q2": "Mal-être",
  "question.short.Q3": "Ce que vous faites ou pouvez faire",
  "question.short.Q4": "Ce qu'il faudrait faire ensemble",
  "gender.female": "Femmes",
  "gender.male": "Hommes",
  "gender.other-or-undisclosed": "Autre ou non précisé",
  "age.under-18": "Moins de 18 ans",
  "age.18-29": "18–29 ans",
  "age.30-44": "30–44 ans",
  "age.45-64": "45–64 ans",
  "age.65-plus": "65 ans et plus",
  "groups.title": "Groupes et séances",
  "groups.intro":
    "Chaque groupe homogène se réunit en une ou plusieurs séances et écrit ses critères sur des post-it. Créez le groupe, puis saisissez ses critères question par question.",
  "groups.none": "Aucun groupe pour l'instant.",
  "groups.noTerritory":
    "Ce nœud n'héberge pas encore de territoire : les groupes appartiennent à un territoire.",
  "groups.create": "Créer un groupe",
  "groups.createTitle": "Nouveau groupe",
  "groups.editTitle": "Modifier le groupe {label}",
  "groups.edit": "Modifier",
  "groups.enterCriteria": "Saisir les critères",
  "groups.save": "Enregistrer le groupe",
  "groups.created": "Groupe {label} créé. Saisissez ses critères ci-dessous.",
  "groups.updated": "Groupe enregistré.",
  "groups.back": "Retour aux groupes",
  "groups.col.label": "Groupe",
  "groups.col.category": "Catégorie",
  "groups.col.sessions": "Séances",
  "groups.col.participants": "Participants",
  "groups.col.criteria": "Critères",
  "groups.col.actions": "Actions",
  "group.label": "Nom du groupe",
  "group.category": "Catégorie",
  "group.sessionDates": "Dates des séances",
  "group.sessionDates.hint":
    "Une ou plusieurs dates au format AAAA-MM-JJ, séparées par des virgules ou des espaces.",
  "group.participants": "Nombre de participants",
  "group.cycle": "Cycle SPIRAL",
  "group.cycle.hint": "0 pour un premier cycle, jusqu'à 3.",
  "group.margins": "Qui a participé (facultatif)",
  "group.margins.hint":
    "Des effectifs seulement, jamais de noms. Laissez vide ce que vous n'avez pas relevé ; chaque total ne doit pas dépasser le nombre de participants.",
  "group.margins.gender": "Par genre",
  "group.margins.age": "Par âge",
  "group.notes": "Notes privées",
  "group.notes.hint": "Restent sur ce nœud ; jamais publiées.",
  "error.label": "Donnez un nom au groupe (200 caractères au plus).",
  "error.category": "Choisissez une catégorie dans la liste.",
  "error.sessionDates": "Saisissez au moins une date valide au format AAAA-MM-JJ (50 au plus).",
  "error.participants": "Un nombre entier de 1 à 10 000.",
  "error.cycle": "Choisissez un cycle de 0 à 3.",
  "error.count": "Un nombre entier de 0 à 10 000.",
  "error.marginsTotal": "Ces effectifs dépassent le nombre de participants.",
  "error.notes": "10 000 caractères au plus.",
  "error.language": "Un code de langue comme fr ou pt-BR.",
  "error.criterionEmpty": "Le critère est vide.",
  "error.criterionLong": "Un critère est une idée : 2000 caractères au plus.",
  "error.pasteEmpty": "Collez au moins une ligne.",
  "error.line": "Ligne {line} : {message}",
  "error.linesSummary": "Rien n'a été enregistré : {count} ligne(s) à corriger.",
  "criteria.title": "Critères de {label}",
  "criteria.questions": "Questions",
  "criteria.listTitle": "Critères saisis pour cette question ({count})",
  "criteria.none": "Aucun critère pour cette question pour l'instant.",
  "criteria.text": "Nouveau critère",
  "criteria.text.hint":
    "Tapez un post-it et appuyez sur Entrée ; le champ est prêt pour le suivant.",
  "criteria.add": "Ajouter",
  "criteria.added": "Critère ajouté.",
  "criteria.addedMany": "{count} critères ajoutés.",
  "criteria.deleted": "Critère supprimé.",
  "criteria.delete": "Supprimer",
  "criteria.language": "Langue",
  "criteria.language.hint":
    "La langue dans laquelle les critères sont écrits : la dernière utilisée est choisie, changez-la quand le groupe change de langue.",
  "criteria.pasteMode": "Coller plusieurs lignes",
  "criteria.singleMode": "Un par un",
  "criteria.lines": "Critères, un par ligne",
  "criteria.lines.hint":
    "Les lignes vides sont ignorées. Si une ligne est incorrecte, rien n'est enregistré et la ligne est signalée.",
  "criteria.addLines": "Ajouter ces critères",
  "criteria.readOnly": "Votre rôle permet de lire les critères, pas de les modifier.",
  "criteria.status.unclassified": "non classé",
  "criteria.status.proposed": "proposé",
  "criteria.status.validated": "validé",
  "nav.classify": "Classement",
  "classify.title": "Classement",
  "classify.tabs": "Vues du classement",
  "classify.tab.queue": "À classer ({count})",
  "classify.tab.review": "À vérifier ({count})",
  "classify.readOnly": "Votre rôle permet de voir la file, pas de classer.",
  "classify.focus": "Critère à classer",
  "classify.group": "Groupe",
  "classify.code": "Code SPIRAL",
  "classify.code.hint":
    "Une composante (A01), avec un sens (A01/P15), un sous-objet et un bénéficiaire (A01-11/P15/k). En cas de doute, choisissez-la ci-dessous.",
  "classify.propose": "Proposer",
  "classify.validate": "Valider",
  "classify.skip": "Passer",
  "classify.keys":
    "Entrée propose. Raccourcis clavier (avec la touche d'accès de votre navigateur) : P proposer, V valider, S passer.",
  "classify.empty": "Plus rien à classer : chaque critère a un code.",
  "classify.error.summary": "Ce code n'a pas été enregistré.",
  "classify.error.empty": "Tapez un code, ou choisissez-le dans la grille ci-dessous.",
  "classify.picker": "La grille",
  "classify.recent": "Codes utilisés récemment",
  "classify.search": "Chercher dans la grille",
  "classify.search.hint":
    "Un code (A0, a03) ou des mots de tous les jours, dans une langue de l'interface (logement, médecin, bus).",
  "classify.searchSubmit": "Chercher",
  "classify.results": "{count} composante(s) pour « {q} »",
  "classify.allComponents": "Toutes les composantes",
  "classify.noResults": "Aucune composante ne correspond. Essayez un autre mot ou un code.",
  "classify.provisional": "provisoire",
  "classify.queue": "Critères suivants ({shown} sur {total})",
  "classify.saved": "Classé en {code}.",
  "classify.skipped": "Passé.",
  "classify.validatedMany": "{count} classement(s) validé(s).",
  "classify.review.none": "Aucun classement proposé n'attend de vérification.",
  "classify.review.intro":
    "Classements proposés ({shown} affichés sur {total}). Vérifiez-les avec le groupe, puis validez.",
  "classify.validateShown": "Valider tout ce qui est affiché ({count})",
  "classify.col.criterion": "Critère",
  "classify.col.code": "Code proposé",
  "classify.col.group": "Question et groupe",
  "forbidden.title": "Action non autorisée",
  "forbidden.role":
    "Votre rôle ({role}) ne permet pas cette action. Demandez à un administrateur du nœud.",
  "csrf.title": "Ce formulaire a expiré",
  "csrf.body":
    "Le formulaire a été envoyé sans son jeton de sécurité, ou avec un jeton périmé (par exemple après une déconnexion dans un autre onglet). Rien n'a été modifié. Revenez en arrière, rechargez la page et renvoyez-le.",
  "csrf.back": "Retour à l'espace de travail",
  "badRequest.title": "Requête incomprise",
  "notFound.title": "Page introuvable",
  "notFound.body":
    "Cette page n'existe pas, ou ce qu'elle montrait a été supprimé. Vérifiez l'adresse, ou repartez de l'espace de travail.",
  "badRequest.body": "Le formulaire n'a pas pu être lu. Rechargez la page et réessayez.",
  "server.title": "Une erreur est survenue",
  "server.body":
    "Le nœud n'a pas pu traiter cette demande ; l'erreur a été enregistrée. Réessayez, ou prévenez la personne qui gère le nœud.",
};

/** The English strings of each area: they define the keys every language must give. */
const EN_AREAS = {
  core: coreEn,
  network: network.en,
  classify: classify.en,
  criteria: criteria.en,
  account: account.en,
  access: access.en,
  syntheses: syntheses.en,
  publicPages: publicPages.en,
  figures: figures.en,
  subnetworks: subnetworks.en,
  operations: operations.en,
  meetings: meetings.en,
  publishing: publishing.en,
  progress: progress.en,
  grid: grid.en,
};
type EnAreas = typeof EN_AREAS;

/** One object per area, each with exactly the English keys of that area. */
export type AreaMessages = { [Area in keyof EnAreas]: Record<keyof EnAreas[Area], string> };

/** A language of the interface: what `languages/<code>.ts` exports. */
export interface LanguageFile {
  /** The language's own name, as the switch shows it (Português, العربية). */
  name: string;
  dir: "ltr" | "rtl";
  /** BCP 47 locale for numbers and dates (pt-PT). */
  locale: string;
  /** A translation not yet checked by a native speaker: the switch says so. */
  toReview: boolean;
  areas: AreaMessages;
}

const FR_AREAS: AreaMessages = {
  core: coreFr,
  network: network.fr,
  classify: classify.fr,
  criteria: criteria.fr,
  account: account.fr,
  access: access.fr,
  syntheses: syntheses.fr,
  publicPages: publicPages.fr,
  figures: figures.fr,
  subnetworks: subnetworks.fr,
  operations: operations.fr,
  meetings: meetings.fr,
  publishing: publishing.fr,
  progress: progress.fr,
  grid: grid.fr,
};

const FILES: Record<Lang, LanguageFile> = {
  en: { name: "English", dir: "ltr", locale: "en-GB", toReview: false, areas: EN_AREAS },
  fr: { name: "Français", dir: "ltr", locale: "fr-FR", toReview: false, areas: FR_AREAS },
  pt,
  es,
  it,
  ar,
};

export type MessageKey = { [Area in keyof EnAreas]: keyof EnAreas[Area] }[keyof EnAreas];
export type Messages = Record<MessageKey, string>;

/** The areas of a language merged into one table (the type-check made each area complete). */
const merge = (areas: AreaMessages): Messages => Object.assign({}, ...Object.values(areas));

const MESSAGES = Object.fromEntries(
  LANGUAGES.map((lang) => [lang, merge(FILES[lang].areas)]),
) as Record<Lang, Messages>;

/** Every message key, in the order English lists them. */
export const MESSAGE_KEYS = Object.keys(MESSAGES.en) as readonly MessageKey[];

/** Name, direction, locale and review state of a language, for the shell and the switch. */
export function languageInfo(lang: Lang): Omit<LanguageFile, "areas"> {
  const { areas: _, ...info } = FILES[lang];
  return info;
}

/** The area objects of a language, as its file gives them (the language test checks them). */
export function languageAreas(lang: Lang): AreaMessages {
  return FILES[lang].areas;
}

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
 * The interface language: an explicit choice (`?lang=` or the `lang` cookie, passed as `chosen`) wins, then the first supported
 * language of the Accept-Language header by quality, then English.
 */
export function pickLanguage(chosen: string | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(chosen)) return chosen;
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
