/**
 * Python 2 names that Python 3's unpickler renames before importing (Lib/_compat_pickle.py, applied by
 * `find_class` when `fix_imports` is on and the protocol is below 3). A payload can hide `subprocess` as
 * `commands` or `builtins` as `__builtin__`; classifying the renamed name closes that door. Only the entries
 * that matter for classification are kept: modules that change name, and names that move module.
 */
const IMPORT_MAPPING: Record<string, string> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
  Queue: 'queue',
  SocketServer: 'socketserver',
  ConfigParser: 'configparser',
  repr: 'reprlib',
  cPickle: 'pickle',
  _elementtree: 'xml.etree.ElementTree',
  FileDialog: 'tkinter.filedialog',
  thread: '_thread',
  dummy_thread: '_dummy_thread',
  StringIO: 'io',
  cStringIO: 'io',
  httplib: 'http.client',
  cookielib: 'http.cookiejar',
  urllib2: 'urllib.request',
  urlparse: 'urllib.parse',
  robotparser: 'urllib.robotparser',
  xmlrpclib: 'xmlrpc.client',
  SimpleXMLRPCServer: 'xmlrpc.server',
  BaseHTTPServer: 'http.server',
  SimpleHTTPServer: 'http.server',
  CGIHTTPServer: 'http.server',
  anydbm: 'dbm',
  whichdb: 'dbm',
  dbhash: 'dbm.bsd',
  dumbdbm: 'dbm.dumb',
  gdbm: 'dbm.gnu',
  commands: 'subprocess',
  UserDict: 'collections',
  UserList: 'collections',
  UserString: 'collections',
  __main__: '__main__',
};

const NAME_MAPPING: Record<string, [string, string]> = {
  '__builtin__.xrange': ['builtins', 'range'],
  '__builtin__.reduce': ['functools', 'reduce'],
  '__builtin__.intern': ['sys', 'intern'],
  '__builtin__.unichr': ['builtins', 'chr'],
  '__builtin__.unicode': ['builtins', 'str'],
  '__builtin__.long': ['builtins', 'int'],
  '__builtin__.basestring': ['builtins', 'str'],
  '__builtin__.raw_input': ['builtins', 'input'],
  '__builtin__.execfile': ['builtins', 'exec'],
  'itertools.izip': ['builtins', 'zip'],
  'itertools.imap': ['builtins', 'map'],
  'itertools.ifilter': ['builtins', 'filter'],
  'UserDict.UserDict': ['collections', 'UserDict'],
  'UserDict.IterableUserDict': ['collections', 'UserDict'],
  'UserList.UserList': ['collections', 'UserList'],
  'UserString.UserString': ['collections', 'UserString'],
  'whichdb.whichdb': ['dbm', 'whichdb'],
  '_socket.fromfd': ['socket', 'fromfd'],
  '_multiprocessing.Connection': ['multiprocessing.connection', 'Connection'],
  'multiprocessing.process.Process': ['multiprocessing.context', 'Process'],
  'urllib.urlopen': ['urllib.request', 'urlopen'],
  'urllib.urlretrieve': ['urllib.request', 'urlretrieve'],
  'urllib.quote': ['urllib.parse', 'quote'],
  'urllib.unquote': ['urllib.parse', 'unquote'],
  'urllib.urlencode': ['urllib.parse', 'urlencode'],
  'urllib2.urlopen': ['urllib.request', 'urlopen'],
  'exceptions.Exception': ['builtins', 'Exception'],
  'commands.getoutput': ['subprocess', 'getoutput'],
  'commands.getstatusoutput': ['subprocess', 'getstatusoutput'],
};

/** The (module, name) Python 3 actually imports for a Python 2 name. */
export function fixImports(module: string, name: string): [string, string] {
  const byName = NAME_MAPPING[`${module}.${name}`];
  if (byName) return byName;
  const mod = Object.hasOwn(IMPORT_MAPPING, module) ? IMPORT_MAPPING[module] : undefined;
  return [mod ?? module, name];
}
