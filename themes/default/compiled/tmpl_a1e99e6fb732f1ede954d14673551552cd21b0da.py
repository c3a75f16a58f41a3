# Made by `python -m mdpm.render` from the default theme's _card.html: Jinja's compiled form of it. Do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_card.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_t = resolve('t')
    l_0_root = resolve('root')
    l_0_badges = resolve('badges')
    l_0_person = resolve('person')
    l_0_icon = resolve('icon')
    l_0_b = missing
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['trim']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'trim' found.")
    try:
        t_3 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<article class="card prio-'
    yield escape(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'priority'))
    if environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'is_blocked'):
        pass
        yield ' is-blocked'
    if (not t_3(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'overdue_days'))):
        pass
        yield ' is-overdue'
    if environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'expedite'):
        pass
        yield ' is-expedite'
    yield '" data-task="'
    yield escape(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'ref'))
    yield '" data-project="'
    yield escape(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'project'))
    yield '" data-people="'
    yield escape(t_1(context.eval_ctx, environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'people'), ' '))
    if (environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'holder') and (environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'holder') not in environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'people'))):
        pass
        yield ' '
        yield escape(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'holder'))
    yield '">\n  <h3 class="card-title"><a href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield escape(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'url'))
    yield '">'
    yield escape(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'title'))
    yield '</a></h3>\n  <p class="card-project">'
    yield escape(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'project_title'))
    yield '</p>\n'
    l_0_b = t_2(context.call((undefined(name='badges') if l_0_badges is missing else l_0_badges), (undefined(name='t') if l_0_t is missing else l_0_t), True))
    context.vars['b'] = l_0_b
    context.exported_vars.add('b')
    if (undefined(name='b') if l_0_b is missing else l_0_b):
        pass
        yield '<ul class="badges">'
        yield escape((undefined(name='b') if l_0_b is missing else l_0_b))
        yield '</ul>'
    if environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'blocked'):
        pass
        yield '<p class="card-blocked">'
        yield escape(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'blocked'))
        yield '</p>'
    yield '  <div class="card-foot">\n    '
    yield escape(context.call((undefined(name='person') if l_0_person is missing else l_0_person), environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'holder'), (undefined(name='root') if l_0_root is missing else l_0_root)))
    yield '\n'
    if environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'due'):
        pass
        yield '<span class="card-due">'
        yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'calendar'))
        yield '<time datetime="'
        yield escape(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'due'))
        yield '">'
        yield escape(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'due'))
        yield '</time></span>'
    if environment.getitem(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'checklist'), 1):
        pass
        yield '<span class="card-check" title="checklist">'
        yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'list'))
        yield escape(environment.getitem(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'checklist'), 0))
        yield '/'
        yield escape(environment.getitem(environment.getattr((undefined(name='t') if l_0_t is missing else l_0_t), 'checklist'), 1))
        yield '</span>'
    yield '  </div>\n</article>\n'

blocks = {}
debug_info = '2=36&3=57&4=62&5=64&6=72&8=78&9=80&10=89'