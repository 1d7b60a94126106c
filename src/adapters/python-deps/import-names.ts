/**
 * Import name → PyPI distribution for well-known packages whose distribution is not
 * named like the module they install. Anything not listed is assumed to be distributed
 * under its import name with '_' written as '-' (tree_sitter_cpp → tree-sitter-cpp).
 * Dotted keys are namespace packages, matched by the longest prefix.
 */
const DISTRIBUTIONS: Record<string, string> = {
  attr: 'attrs',
  bs4: 'beautifulsoup4',
  Bio: 'biopython',
  cairo: 'pycairo',
  Crypto: 'pycryptodome',
  Cryptodome: 'pycryptodomex',
  cv2: 'opencv-python',
  dateutil: 'python-dateutil',
  distutils: 'setuptools',
  dns: 'dnspython',
  docx: 'python-docx',
  dotenv: 'python-dotenv',
  fitz: 'PyMuPDF',
  gi: 'PyGObject',
  git: 'GitPython',
  github: 'PyGithub',
  gitlab: 'python-gitlab',
  'google.protobuf': 'protobuf',
  grpc: 'grpcio',
  jose: 'python-jose',
  jwt: 'PyJWT',
  kafka: 'kafka-python',
  ldap: 'python-ldap',
  magic: 'python-magic',
  markdown: 'Markdown',
  mpl_toolkits: 'matplotlib',
  multipart: 'python-multipart',
  MySQLdb: 'mysqlclient',
  nacl: 'PyNaCl',
  OpenGL: 'PyOpenGL',
  OpenSSL: 'pyOpenSSL',
  PIL: 'Pillow',
  pkg_resources: 'setuptools',
  pptx: 'python-pptx',
  pydantic_settings: 'pydantic-settings',
  pythoncom: 'pywin32',
  pywintypes: 'pywin32',
  _pytest: 'pytest',
  'ruamel.yaml': 'ruamel.yaml',
  serial: 'pyserial',
  skimage: 'scikit-image',
  sklearn: 'scikit-learn',
  slugify: 'python-slugify',
  socketio: 'python-socketio',
  engineio: 'python-engineio',
  telegram: 'python-telegram-bot',
  tree_sitter: 'tree-sitter',
  tree_sitter_cpp: 'tree-sitter-cpp',
  umap: 'umap-learn',
  usb: 'pyusb',
  websocket: 'websocket-client',
  win32api: 'pywin32',
  win32con: 'pywin32',
  wx: 'wxPython',
  Xlib: 'python-xlib',
  yaml: 'PyYAML',
  zmq: 'pyzmq',
};

const NAMESPACE_ROOTS = new Set(
  Object.keys(DISTRIBUTIONS)
    .filter((key) => key.includes('.'))
    .map((key) => key.split('.')[0]!),
);

interface Distribution {
  /** The distribution to install, e.g. 'PyYAML'. */
  distribution: string;
  /** The module that proves it is installed, e.g. 'yaml' or 'google.protobuf'. */
  module: string;
}

/** The distribution that provides `importPath` (a dotted module path as imported). */
export function distributionFor(importPath: string): Distribution {
  const parts = importPath.split('.');
  for (let length = parts.length; length > 1; length--) {
    const key = parts.slice(0, length).join('.');
    const distribution = DISTRIBUTIONS[key];
    if (distribution !== undefined) return { distribution, module: key };
  }
  const top = parts[0]!;
  return { distribution: DISTRIBUTIONS[top] ?? top.replace(/_/g, '-'), module: top };
}

/** `from google import protobuf` names a namespace package member, not a top-level module. */
export function isNamespaceRoot(module: string): boolean {
  return NAMESPACE_ROOTS.has(module);
}
