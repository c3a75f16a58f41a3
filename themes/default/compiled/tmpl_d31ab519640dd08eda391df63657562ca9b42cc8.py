# Made by `python -m mdpm.render` from the default theme's person.html: Jinja's compiled form of it. Do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'person.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('base.html', 'person.html')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    yield from parent_template.root_render_func(context)

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_person = resolve('person')
    pass
    yield escape(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'name'))

def block_breadcrumbs(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_root = resolve('root')
    l_0_person = resolve('person')
    pass
    yield '<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'people/index.html">People</a></li><li><span aria-current="page">'
    yield escape(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'name'))
    yield '</span></li></ol></nav>'

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_person = resolve('person')
    l_0_root = resolve('root')
    l_0_icon = resolve('icon')
    l_0_task_list = missing
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_2 = environment.filters['upper']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'upper' found.")
    try:
        t_3 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    def macro(l_1_refs, l_1_empty):
        t_4 = []
        if l_1_refs is missing:
            l_1_refs = undefined("parameter 'refs' was not provided", name='refs')
        if l_1_empty is missing:
            l_1_empty = undefined("parameter 'empty' was not provided", name='empty')
        pass
        if l_1_refs:
            pass
            t_4.append(
                '<ul class="task-list">',
            )
            for l_2_ref in l_1_refs:
                l_2_site = resolve('site')
                l_2_t = missing
                _loop_vars = {}
                pass
                l_2_t = environment.getitem(environment.getattr((undefined(name='site') if l_2_site is missing else l_2_site), 'tasks'), l_2_ref)
                _loop_vars['t'] = l_2_t
                t_4.extend((
                    '<li data-task="',
                    escape(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'ref')),
                    '"><a href="',
                    escape((undefined(name='root') if l_0_root is missing else l_0_root)),
                    escape(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'url')),
                    '">',
                    escape(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'title')),
                    '</a> <span class="muted">',
                    escape(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'project_title')),
                    '</span> <span class="stage-pill stage-',
                    escape(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'stage')),
                    '">',
                    escape(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'stage_title')),
                    '</span>',
                ))
                if environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'is_blocked'):
                    pass
                    t_4.extend((
                        ' <span class="badge badge-blocked">',
                        escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'blocked', _loop_vars=_loop_vars)),
                        'Blocked</span>',
                    ))
                if (not t_3(environment.getattr((undefined(name='t') if l_2_t is missing else l_2_t), 'overdue_days'))):
                    pass
                    t_4.extend((
                        ' <span class="badge badge-overdue">',
                        escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'clock', _loop_vars=_loop_vars)),
                        'Overdue</span>',
                    ))
                t_4.append(
                    '</li>',
                )
            l_2_ref = l_2_site = l_2_t = missing
            t_4.append(
                '</ul>',
            )
        else:
            pass
            t_4.extend((
                '<p class="muted">',
                escape(l_1_empty),
                '</p>',
            ))
        return concat(t_4)
    l_0_task_list = Macro(environment, macro, 'task_list', ('refs', 'empty'), False, False, False, context.eval_ctx.autoescape)
    yield '<div class="page-head">\n  <h1><span class="avatar avatar-lg" aria-hidden="true">'
    yield escape(t_2(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'handle')[:1]))
    yield '</span>'
    yield escape(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'name'))
    yield '</h1>\n  <p class="lede"><code>'
    yield escape(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'handle'))
    yield '</code>'
    if (not environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'known')):
        pass
        yield ' · <span class="warn">not listed in [people] of mdpm.toml</span>'
    yield ' · <a href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'board/person/'
    yield escape(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'slug'))
    yield '/index.html">Board of '
    yield escape(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'name'))
    yield '’s tasks</a></p>\n</div>\n\n<section class="panel load'
    if environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'over'):
        pass
        yield ' is-over'
    elif environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'at_limit'):
        pass
        yield ' is-at-limit'
    yield '" aria-labelledby="load-h">\n  <h2 id="load-h">Load</h2>\n  <p class="load-figure"><strong>'
    yield escape(t_1(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'holds')))
    yield '</strong> active '
    yield escape(('task' if (t_1(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'holds')) == 1) else 'tasks'))
    yield ' held'
    if (not t_3(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'limit'))):
        pass
        yield ', limit <strong>'
        yield escape(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'limit'))
        yield '</strong>'
    else:
        pass
        yield ', no limit'
    yield '</p>\n'
    if environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'limit'):
        pass
        yield '  <div class="progress" role="img" aria-label="'
        yield escape(t_1(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'holds')))
        yield ' of '
        yield escape(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'limit'))
        yield ' held">\n    <span class="progress-bar"><span class="progress-fill" style="width: '
        yield escape(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'load_pct'))
        yield '%"></span></span>\n    <span class="progress-text">'
        yield escape(t_1(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'holds')))
        yield '/'
        yield escape(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'limit'))
        yield '</span>\n  </div>\n'
    if environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'over'):
        pass
        yield '<p class="over-flag">'
        yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'alert', _block_vars=_block_vars))
        yield 'Over the limit by '
        yield escape((t_1(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'holds')) - environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'limit')))
        yield ': too much at once</p>'
    elif environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'at_limit'):
        pass
        yield '<p class="limit-flag">At the limit</p>'
    yield '  <p class="muted">'
    yield escape(environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'done'))
    yield ' finished '
    yield escape(('task' if (environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'done') == 1) else 'tasks'))
    yield ' on record.</p>\n</section>\n\n<section aria-labelledby="holds-h">\n  <h2 id="holds-h">Holds now</h2>\n  '
    yield escape(context.call((undefined(name='task_list') if l_0_task_list is missing else l_0_task_list), environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'holds'), 'Holds no active task.', _block_vars=_block_vars))
    yield '\n</section>\n<section aria-labelledby="owns-h">\n  <h2 id="owns-h">Owns (not done)</h2>\n  '
    yield escape(context.call((undefined(name='task_list') if l_0_task_list is missing else l_0_task_list), environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'owns'), 'Owns no open task.', _block_vars=_block_vars))
    yield '\n</section>\n<section aria-labelledby="collab-h">\n  <h2 id="collab-h">Collaborates on (not done)</h2>\n'
    if environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'collaborates'):
        pass
        yield '  <ul class="task-list">'
        for (l_1_ref, l_1_role) in environment.getattr((undefined(name='person') if l_0_person is missing else l_0_person), 'collaborates'):
            l_1_site = resolve('site')
            l_1_t = missing
            _loop_vars = {}
            pass
            l_1_t = environment.getitem(environment.getattr((undefined(name='site') if l_1_site is missing else l_1_site), 'tasks'), l_1_ref)
            _loop_vars['t'] = l_1_t
            yield '<li data-task="'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'ref'))
            yield '"><a href="'
            yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'url'))
            yield '">'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'title'))
            yield '</a> <span class="muted">'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'project_title'))
            if l_1_role:
                pass
                yield ' · as '
                yield escape(l_1_role)
            yield '</span> <span class="stage-pill stage-'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'stage'))
            yield '">'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'stage_title'))
            yield '</span></li>'
        l_1_ref = l_1_role = l_1_site = l_1_t = missing
        yield '</ul>\n'
    else:
        pass
        yield '<p class="muted">No open collaborations.</p>'
    yield '</section>\n'

blocks = {'title': block_title, 'breadcrumbs': block_breadcrumbs, 'content': block_content}
debug_info = '1=12&3=17&4=28&5=44&6=74&7=81&10=140&11=144&14=156&16=163&17=176&18=179&19=183&20=185&23=189&24=200&29=204&33=206&37=208&38=211'