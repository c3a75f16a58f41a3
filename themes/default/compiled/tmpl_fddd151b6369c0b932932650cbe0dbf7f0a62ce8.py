# Made by `python -m mdpm.render` from the default theme's base.html: Jinja's compiled form of it. Do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'base.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_site = resolve('site')
    l_0_root = resolve('root')
    l_0_section = resolve('section')
    l_0_fragment = resolve('fragment')
    pass
    yield '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>'
    yield from context.blocks['title'][0](context)
    yield ' · '
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'title'))
    yield '</title>\n<meta name="generator" content="mdpm">\n<link rel="icon" href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'static/favicon.svg" type="image/svg+xml">\n<link rel="stylesheet" href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'static/icons.css">\n<link rel="stylesheet" href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'static/style.css">\n<link rel="alternate" type="application/atom+xml" title="'
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'title'))
    yield ': stage changes" href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'feed.xml">\n'
    yield from context.blocks['head'][0](context)
    yield '</head>\n<body class="page-'
    yield escape((undefined(name='section') if l_0_section is missing else l_0_section))
    yield '">\n'
    yield escape(context.call((undefined(name='fragment') if l_0_fragment is missing else l_0_fragment), '_header.html'))
    yield '\n<main id="main" class="wrap" tabindex="-1">\n'
    yield from context.blocks['breadcrumbs'][0](context)
    yield from context.blocks['content'][0](context)
    yield '</main>\n'
    yield escape(context.call((undefined(name='fragment') if l_0_fragment is missing else l_0_fragment), '_footer.html'))
    yield '\n'
    yield from context.blocks['scripts'][0](context)
    yield '</body>\n</html>\n'

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

def block_head(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

def block_breadcrumbs(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

def block_scripts(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

blocks = {'title': block_title, 'head': block_head, 'breadcrumbs': block_breadcrumbs, 'content': block_content, 'scripts': block_scripts}
debug_info = '6=16&8=20&9=22&10=24&11=26&12=30&14=32&15=34&17=36&18=37&20=39&21=41&6=44&12=53&17=62&18=71&21=80'