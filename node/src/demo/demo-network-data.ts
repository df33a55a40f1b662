/**
 * Demo data for two more territories of the network, Porto and Namur, shaped like the Mulhouse
 * demo (demo-data.ts): three homogeneous groups each, one SPIRAL cycle, the criteria they wrote
 * (Q1 well-being, Q2 ill-being, Q3 what you do or could do) and the grid codes facilitators gave
 * them. Fictional: written to look like real sticky notes, not taken from any real session.
 * Pure data, no I/O.
 *
 * Codes use only components present in grid spiral-9d 2026.1-partial (A00..A11 without A08 and
 * A10, B00..B02, C..H at dimension level X00), some with a sense (R P O Q S, optional detail
 * such as P15) and beneficiary (k).
 */

import type { DemoGroup, DemoTerritory } from "./demo-data";

const porto: DemoTerritory = {
  slug: "porto",
  name: "Porto",
  country: "PT",
  region: "PT-13",
  localityType: "urban",
  languages: ["pt", "en"],
  description:
    "Porto, on the Douro estuary in northern Portugal, is a territory of co-responsibility of " +
    "the TOGETHER network. A coordination group of parish councils, a day centre, a youth " +
    "association and an employment workshop runs SPIRAL sessions with homogeneous groups: " +
    "elders of the historic centre, young people of Campanhã and job seekers. Groups write in " +
    "Portuguese or English. (Demonstration data: groups and criteria are fictional.)",
  population: 232000,
  latitude: 41.1579,
  longitude: -8.6291,
};

const portoGroups: DemoGroup[] = [
  {
    label: "Idosos do Centro Histórico (Sé e Miragaia)",
    category: "elderly-people",
    sessionDates: ["2026-03-11", "2026-03-18"],
    participants: 10,
    cycle: 1,
    margins: {
      gender: { female: 7, male: 3 },
      age: { "65-plus": 10 },
    },
    language: "pt",
    criteria: [
      { question: "Q1", text: "Continuar a viver na minha casa, no meu bairro", code: "A03/S" },
      { question: "Q1", text: "Ter médico de família no centro de saúde", code: "A02" },
      { question: "Q1", text: "Conversar com as vizinhas à porta", code: "D00" },
      { question: "Q1", text: "Uma reforma que chegue até ao fim do mês", code: "A00" },
      { question: "Q1", text: "Os netos virem almoçar ao domingo", code: "D00" },
      { question: "Q1", text: "Ter saúde para subir as escadas até casa", code: "F00" },
      { question: "Q1", text: "Ver o rio da minha janela", code: "B00" },
      { question: "Q1", text: "Festejar o São João na rua com todos", code: "A07" },
      { question: "Q1", text: "Sentir-me útil", code: "G00" },
      { question: "Q1", text: "A minha fé e a missa de domingo na Sé", code: "F00" },
      {
        question: "Q2",
        text: "O bairro cheio de alojamento local, já não conheço ninguém",
        code: "E00",
      },
      {
        question: "Q2",
        text: "A renda subiu e o senhorio quer vender o prédio",
        code: "A03/P15",
      },
      { question: "Q2", text: "Esperar meses por uma consulta no hospital", code: "A02/P12" },
      { question: "Q2", text: "A pensão não dá para os medicamentos", code: "A02/P15" },
      { question: "Q2", text: "A solidão, sobretudo à noite", code: "G00" },
      { question: "Q2", text: "O barulho das malas dos turistas na calçada", code: "B01" },
      { question: "Q2", text: "As escadinhas escorregadias quando chove", code: "B02/Q" },
      { question: "Q2", text: "Ter medo de cair sozinha em casa", code: "F00" },
      {
        question: "Q2",
        text: "A mercearia fechou, agora é uma loja de lembranças",
        code: "A01/P11",
      },
      { question: "Q2", text: "Casa fria e húmida no inverno", code: "A03/Q" },
      { question: "Q2", text: "Já ninguém liga aos velhos", code: "E00" },
      { question: "Q3", text: "Ir ao centro de dia da junta de freguesia", code: "A09" },
      { question: "Q3", text: "Caminhar todos os dias à beira-rio", code: "F00" },
      { question: "Q3", text: "Telefonar à vizinha que vive sozinha", code: "H00" },
      {
        question: "Q3",
        text: "Aprender a fazer videochamadas com os netos emigrados",
        code: "A11",
      },
      { question: "Q3", text: "Ir às reuniões da associação de moradores", code: "C00" },
      { question: "Q3", text: "Contar aos miúdos as histórias do bairro", code: "H00" },
    ],
  },
  {
    label: "Jovens de Campanhã",
    category: "young-people",
    sessionDates: ["2026-05-20"],
    participants: 9,
    cycle: 1,
    language: "pt",
    criteria: [
      { question: "Q1", text: "Ter amigos verdadeiros", code: "D00" },
      { question: "Q1", text: "Acabar o 12.º ano e entrar na faculdade", code: "A05" },
      {
        question: "Q1",
        text: "Um trabalho que pague mais do que o salário mínimo",
        code: "A06/Q",
      },
      { question: "Q1", text: "Ir à praia de Matosinhos com a malta", code: "A07" },
      { question: "Q1", text: "Um quarto só para mim", code: "A03" },
      { question: "Q1", text: "Não ter de emigrar para ter uma vida boa", code: "A06/S" },
      { question: "Q1", text: "Sentir-me bem com o meu corpo", code: "F00" },
      { question: "Q1", text: "Que a minha mãe não ande sempre cansada", code: "D00" },
      { question: "Q1", text: "Ser ouvido pela Câmara", code: "C00" },
      { question: "Q1", text: "Wi-Fi grátis no bairro", code: "A11" },
      { question: "Q2", text: "As rendas no Porto são impossíveis para um jovem", code: "A03/P15" },
      { question: "Q2", text: "Trabalhar num call center a recibos verdes", code: "A06/Q" },
      { question: "Q2", text: "Os autocarros à noite que nunca passam", code: "B02/O21" },
      {
        question: "Q2",
        text: "Acharem que em Campanhã só há droga",
        code: "E00/P14",
      },
      { question: "Q2", text: "Ansiedade antes dos exames nacionais", code: "F00" },
      { question: "Q2", text: "Os amigos que já foram para a Suíça e França", code: "D00" },
      { question: "Q2", text: "Não ter dinheiro para sair com os amigos", code: "A07/P15" },
      { question: "Q2", text: "Sentir que não há futuro para nós aqui", code: "G00" },
      { question: "Q2", text: "Lixo e seringas no terreno ao lado da escola", code: "B01" },
      { question: "Q3", text: "Fazer voluntariado no banco alimentar", code: "H00" },
      { question: "Q3", text: "Treinar boxe no pavilhão para descarregar", code: "F00" },
      { question: "Q3", text: "Explicar matemática aos mais novos", code: "H00" },
      { question: "Q3", text: "Votar no orçamento participativo jovem", code: "C00" },
      { question: "Q3", text: "Fazer um curso de programação online", code: "A05" },
      {
        question: "Q3",
        text: "Pintar murais com autorização debaixo do viaduto",
        code: "B00",
      },
    ],
  },
  {
    label: "Job seekers, Bonfim employment workshop (English-speaking group)",
    category: "unemployed-people",
    sessionDates: ["2026-09-23", "2026-09-30"],
    participants: 8,
    cycle: 1,
    language: "en",
    criteria: [
      { question: "Q1", text: "A stable contract, not three months at a time", code: "A06/S" },
      { question: "Q1", text: "Paying my rent without help from family", code: "A03" },
      { question: "Q1", text: "Speaking Portuguese well enough for interviews", code: "A05" },
      { question: "Q1", text: "My degree from abroad recognised here", code: "A05/P13" },
      { question: "Q1", text: "A reason to get up in the morning", code: "G00" },
      { question: "Q1", text: "A caseworker at IEFP who knows my name", code: "C00/Q" },
      { question: "Q1", text: "Time with my kids without worrying about money", code: "D00" },
      { question: "Q1", text: "Not being seen as lazy", code: "E00" },
      { question: "Q2", text: "My unemployment benefit ended in March", code: "A09" },
      {
        question: "Q2",
        text: "Sending CVs and no reply because my name sounds foreign",
        code: "A06/P14",
      },
      { question: "Q2", text: "Only seasonal jobs in tourism, badly paid", code: "A06/Q" },
      { question: "Q2", text: "Landlords asking for three months' rent upfront", code: "A03/P15" },
      {
        question: "Q2",
        text: "Waiting over a year for my residence permit renewal",
        code: "C00/P13",
      },
      { question: "Q2", text: "Social security forms only in Portuguese", code: "C00/P12" },
      { question: "Q2", text: "Losing confidence after months of rejections", code: "G00" },
      { question: "Q2", text: "Arguments at home about money", code: "D00" },
      { question: "Q2", text: "Sleeping badly, always thinking about bills", code: "F00" },
      { question: "Q3", text: "Volunteering at the community kitchen", code: "H00" },
      { question: "Q3", text: "Free Portuguese classes at the parish council", code: "A05" },
      { question: "Q3", text: "Running along the Douro to clear my head", code: "F00" },
      { question: "Q3", text: "Sharing job leads in our WhatsApp group", code: "H00" },
      {
        question: "Q3",
        text: "Swapping childcare with another mum so we can go to interviews",
        code: "D00",
      },
      { question: "Q3", text: "Growing vegetables in the community allotment", code: "A01" },
      { question: "Q3", text: "Being patient with myself", code: "H00" },
    ],
  },
];

const namur: DemoTerritory = {
  slug: "namur",
  name: "Namur",
  country: "BE",
  region: "BE-WNA",
  localityType: "urban",
  languages: ["fr"],
  description:
    "Namur, capital of Wallonia at the confluence of the Sambre and the Meuse, is a territory " +
    "of co-responsibility of the TOGETHER network. A coordination group of the city, social " +
    "services, schools and associations runs SPIRAL sessions with homogeneous groups: parents " +
    "of a primary school, users of a social grocery and self-employed shopkeepers of the town " +
    "centre. Groups write in French. (Demonstration data: groups and criteria are fictional.)",
  population: 113000,
  latitude: 50.4674,
  longitude: 4.872,
};

const namurGroups: DemoGroup[] = [
  {
    label: "Parents de l'école communale de Salzinnes",
    category: "parents",
    sessionDates: ["2026-01-29", "2026-02-05"],
    participants: 11,
    cycle: 1,
    margins: {
      gender: { female: 8, male: 3 },
      age: { "30-44": 8, "45-64": 2 },
    },
    language: "fr",
    criteria: [
      { question: "Q1", text: "Voir mes enfants heureux en rentrant de l'école", code: "G00" },
      { question: "Q1", text: "Une place en crèche près de chez nous", code: "A09/O/k" },
      {
        question: "Q1",
        text: "Des instits qui ont le temps pour chaque enfant",
        code: "A05/Q/k",
      },
      { question: "Q1", text: "Des repas sains à la cantine", code: "A01/Q/k" },
      { question: "Q1", text: "Du temps en famille le week-end", code: "D00" },
      { question: "Q1", text: "Aller au boulot à vélo par le RAVeL", code: "B02" },
      { question: "Q1", text: "Des plaines de jeux propres et sûres", code: "B00" },
      { question: "Q1", text: "Des voisins à qui confier la clé", code: "D00" },
      { question: "Q1", text: "Une heure rien qu'à moi", code: "F00" },
      { question: "Q1", text: "Ne pas compter chaque euro en fin de mois", code: "A00" },
      { question: "Q1", text: "Des stages abordables pendant les congés", code: "A07/O/k" },
      { question: "Q2", text: "Courir entre la garderie, le boulot et les courses", code: "F00" },
      { question: "Q2", text: "Les embouteillages à la sortie de l'école", code: "B01" },
      {
        question: "Q2",
        text: "Les frais scolaires qui s'additionnent (piscine, classes vertes)",
        code: "A05/P15/k",
      },
      { question: "Q2", text: "Mon fils harcelé dans la cour de récré", code: "D00" },
      { question: "Q2", text: "Pas de pédiatre avant trois semaines", code: "A02/O21/k" },
      { question: "Q2", text: "La culpabilité de ne pas être assez présente", code: "G00" },
      { question: "Q2", text: "Les trottoirs encombrés quand on a une poussette", code: "B02/Q" },
      { question: "Q2", text: "Le chômage temporaire qui fait baisser le salaire", code: "A06" },
      {
        question: "Q2",
        text: "Être arrivés à Namur sans famille pour nous aider",
        code: "D00",
      },
      { question: "Q3", text: "Lancer un rang à pied avec les voisins", code: "H00" },
      { question: "Q3", text: "M'investir dans l'association de parents", code: "C00" },
      { question: "Q3", text: "Cuisiner avec les enfants le mercredi après-midi", code: "D00" },
      {
        question: "Q3",
        text: "Échanger entre familles les vêtements devenus trop petits",
        code: "A04/O/k",
      },
      { question: "Q3", text: "Dire non à certaines activités pour souffler", code: "F00" },
      {
        question: "Q3",
        text: "Proposer du covoiturage pour les entraînements de foot",
        code: "H00",
      },
    ],
  },
  {
    label: "Usagers de l'épicerie sociale et du Relais social",
    category: "people-in-poverty",
    sessionDates: ["2026-04-22", "2026-04-29"],
    participants: 9,
    cycle: 1,
    language: "fr",
    criteria: [
      { question: "Q1", text: "Un logement décent, pas un taudis", code: "A03/Q" },
      { question: "Q1", text: "Manger à ma faim, et pas que des pâtes", code: "A01/Q" },
      { question: "Q1", text: "Être reçue au CPAS sans être jugée", code: "C00/Q" },
      {
        question: "Q1",
        text: "Que mes petits aient ce qu'il faut, comme les autres",
        code: "A00/O/k",
      },
      { question: "Q1", text: "Pouvoir me faire soigner les dents", code: "A02/P15" },
      { question: "Q1", text: "Un boulot, même à mi-temps", code: "A06" },
      { question: "Q1", text: "Avoir quelqu'un à qui parler", code: "D00" },
      { question: "Q1", text: "Être traité comme tout le monde", code: "E00" },
      { question: "Q1", text: "Garder la tête haute", code: "G00" },
      {
        question: "Q2",
        text: "Le compteur à budget, on se chauffe quand on peut recharger",
        code: "A03/P15",
      },
      {
        question: "Q2",
        text: "Les papiers du CPAS qu'il faut toujours recommencer",
        code: "C00/P12",
      },
      { question: "Q2", text: "La honte d'aller chercher un colis", code: "G00" },
      {
        question: "Q2",
        text: "Vivre avec le revenu d'intégration, compter chaque euro",
        code: "A00/P15",
      },
      { question: "Q2", text: "Les dettes et les lettres d'huissier", code: "A00" },
      { question: "Q2", text: "Se faire regarder de travers dans les magasins", code: "E00/P14" },
      {
        question: "Q2",
        text: "Un kot humide loué par un marchand de sommeil",
        code: "A03/P28",
      },
      {
        question: "Q2",
        text: "Mes enfants placés, je les vois un samedi sur deux",
        code: "D00",
      },
      { question: "Q2", text: "La déprime, rester au lit toute la journée", code: "F00" },
      { question: "Q2", text: "Le bus trop cher pour aller aux rendez-vous", code: "B02/P15" },
      { question: "Q3", text: "Donner un coup de main à l'épicerie sociale", code: "H00" },
      { question: "Q3", text: "Partager mes recettes pas chères avec les autres", code: "H00" },
      { question: "Q3", text: "Suivre une formation au Forem", code: "A05" },
      { question: "Q3", text: "Cultiver des légumes au potager collectif", code: "A01" },
      {
        question: "Q3",
        text: "Me faire aider par une assistante sociale pour mes dettes",
        code: "A09",
      },
      { question: "Q3", text: "Marcher le long de la Meuse pour garder le moral", code: "F00" },
      { question: "Q3", text: "Aller au théâtre avec Article 27", code: "A07" },
      { question: "Q3", text: "Témoigner devant les élus de ce qu'on vit", code: "C00" },
    ],
  },
  {
    label: "Indépendants et commerçants du centre-ville",
    category: "entrepreneurs",
    sessionDates: ["2026-10-14"],
    participants: 7,
    cycle: 1,
    language: "fr",
    criteria: [
      {
        question: "Q1",
        text: "Un chiffre d'affaires régulier, sans mois catastrophiques",
        code: "A06/S",
      },
      { question: "Q1", text: "Choisir mes horaires et mes clients", code: "F00" },
      { question: "Q1", text: "Un comptable qui m'explique vraiment les choses", code: "C00/Q" },
      { question: "Q1", text: "Le bouche-à-oreille, des clients qui me recommandent", code: "D00" },
      {
        question: "Q1",
        text: "Un statut d'indépendant qui protège vraiment",
        code: "A09/Q",
      },
      { question: "Q1", text: "Un centre de Namur animé, même le lundi", code: "B00" },
      { question: "Q1", text: "Travailler avec des producteurs du Condroz", code: "A01/S" },
      { question: "Q1", text: "Sortir un revenu correct après les cotisations", code: "A06/O" },
      { question: "Q1", text: "Engager mon premier employé", code: "A06" },
      { question: "Q1", text: "Me sentir utile à mon quartier", code: "G00" },
      {
        question: "Q2",
        text: "Les chantiers autour de la gare qui font fuir les clients",
        code: "B02",
      },
      {
        question: "Q2",
        text: "Les cotisations sociales qui tombent au pire moment",
        code: "A00/P15",
      },
      { question: "Q2", text: "Le loyer du commerce rue de Fer", code: "A03/P15" },
      { question: "Q2", text: "Les faillites autour de moi, ça fait peur", code: "G00" },
      {
        question: "Q2",
        text: "Tomber malade et ne rien toucher les premiers jours",
        code: "A09/P13",
      },
      { question: "Q2", text: "Le stationnement payant qui décourage les clients", code: "B02/Q" },
      { question: "Q2", text: "Des règles de la Région qui changent tout le temps", code: "C00" },
      { question: "Q2", text: "Le burn-out, je n'arrivais plus à me lever", code: "F00" },
      { question: "Q2", text: "Les colis venus de Chine qui tuent le petit commerce", code: "E00" },
      { question: "Q3", text: "Acheter chez les autres commerçants de la rue", code: "E00" },
      { question: "Q3", text: "Mettre mes invendus sur une appli anti-gaspi", code: "B01" },
      { question: "Q3", text: "Accueillir un apprenti de l'IFAPME", code: "A05" },
      { question: "Q3", text: "Rejoindre le club d'entrepreneurs namurois", code: "C00" },
      { question: "Q3", text: "Prendre une vraie pause à midi", code: "F00" },
      { question: "Q3", text: "Livrer en vélo cargo dans le centre", code: "B01" },
      { question: "Q3", text: "Parrainer une jeune qui lance son activité", code: "H00" },
    ],
  },
];

export const demoNetworkTerritories: Array<{ territory: DemoTerritory; groups: DemoGroup[] }> = [
  { territory: porto, groups: portoGroups },
  { territory: namur, groups: namurGroups },
];
