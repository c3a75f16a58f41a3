# Made by `python -m mdpm.render` from the default theme's _macros.html: Jinja's compiled form of it. Do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_macros.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_progress = l_0_badges = l_0_task_row = l_0_problem_list = missing
    try:
        t_1 = environment.filters['code_spans']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'code_spans' found.")
    try:
        t_2 = environment.filters['int']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'int' found.")
    try:
        t_3 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_4 = environment.filters['plural']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'plural' found.")
    try:
        t_5 = environment.filters['round']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'round' found.")
    try:
        t_6 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_6(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '\n\n'
    def macro(l_1_done, l_1_total, l_1_label):
        t_7 = []
        l_1_pct = missing
        if l_1_done is missing:
            l_1_done = undefined("parameter 'done' was not provided", name='done')
        if l_1_total is missing:
            l_1_total = undefined("parameter 'total' was not provided", name='total')
        if l_1_label is missing:
            l_1_label = 'done'
        pass
        l_1_pct = (t_2(t_5(((100 * l_1_done) / l_1_total))) if l_1_total else 0)
        t_7.extend((
            '<div class="progress" role="img" aria-label="',
            escape(l_1_done),
            ' of ',
            escape(l_1_total),
            ' ',
            escape(l_1_label),
            ' (',
            escape((undefined(name='pct') if l_1_pct is missing else l_1_pct)),
            '%)">\n  <span class="progress-bar"><span class="progress-fill" style="width: ',
            escape((undefined(name='pct') if l_1_pct is missing else l_1_pct)),
            '%"></span></span>\n  <span class="progress-text">',
            escape(l_1_done),
            '/',
            escape(l_1_total),
            ' ',
            escape(l_1_label),
            ' · ',
            escape((undefined(name='pct') if l_1_pct is missing else l_1_pct)),
            '%</span>\n</div>',
        ))
        return concat(t_7)
    context.exported_vars.add('progress')
    context.vars['progress'] = l_0_progress = Macro(environment, macro, 'progress', ('done', 'total', 'label'), False, False, False, context.eval_ctx.autoescape)
    yield '\n\n\n'
    def macro(l_1_t, l_1_on_board):
        t_8 = []
        l_1_icon = resolve('icon')
        if l_1_t is missing:
            l_1_t = undefined("parameter 't' was not provided", name='t')
        if l_1_on_board is missing:
            l_1_on_board = False
        pass
        if environment.getattr(l_1_t, 'expedite'):
            pass
            t_8.extend((
                '<li class="badge badge-expedite">',
                escape(context.call((undefined(name='icon') if l_1_icon is missing else l_1_icon), 'bolt')),
                'Expedite</li>',
            ))
        if environment.getattr(l_1_t, 'done'):
            pass
        elif (environment.getattr(l_1_t, 'priority') == 'high'):
            pass
            t_8.extend((
                '<li class="badge badge-high">',
                escape(context.call((undefined(name='icon') if l_1_icon is missing else l_1_icon), 'up')),
                'High</li>',
            ))
        elif (environment.getattr(l_1_t, 'priority') == 'low'):
            pass
            t_8.extend((
                '<li class="badge badge-low">',
                escape(context.call((undefined(name='icon') if l_1_icon is missing else l_1_icon), 'down')),
                'Low</li>',
            ))
        if environment.getattr(l_1_t, 'is_blocked'):
            pass
            t_8.extend((
                '<li class="badge badge-blocked">',
                escape(context.call((undefined(name='icon') if l_1_icon is missing else l_1_icon), 'blocked')),
                'Blocked</li>',
            ))
        if (not t_6(environment.getattr(l_1_t, 'overdue_days'))):
            pass
            t_8.extend((
                '<li class="badge badge-overdue">',
                escape(context.call((undefined(name='icon') if l_1_icon is missing else l_1_icon), 'clock')),
                escape(t_4(environment.getattr(l_1_t, 'overdue_days'), 'day')),
                ' overdue</li>',
            ))
        elif environment.getattr(l_1_t, 'due_soon'):
            pass
            t_8.extend((
                '<li class="badge badge-soon">',
                escape(context.call((undefined(name='icon') if l_1_icon is missing else l_1_icon), 'clock')),
                'Due ',
            ))
            if (environment.getattr(l_1_t, 'due_in_days') == 0):
                pass
                t_8.append(
                    'today',
                )
            else:
                pass
                t_8.extend((
                    'in ',
                    escape(t_4(environment.getattr(l_1_t, 'due_in_days'), 'day')),
                ))
            t_8.append(
                '</li>',
            )
        if (environment.getattr(l_1_t, 'done') and (not l_1_on_board)):
            pass
            t_8.extend((
                '<li class="badge badge-done">',
                escape(context.call((undefined(name='icon') if l_1_icon is missing else l_1_icon), 'check')),
                'Done</li>',
            ))
        if environment.getattr(l_1_t, 'has_errors'):
            pass
            t_8.extend((
                '<li class="badge badge-problem">',
                escape(context.call((undefined(name='icon') if l_1_icon is missing else l_1_icon), 'alert')),
                escape(t_4(t_3(environment.getattr(l_1_t, 'problems')), 'problem')),
                '</li>',
            ))
        return concat(t_8)
    context.exported_vars.add('badges')
    context.vars['badges'] = l_0_badges = Macro(environment, macro, 'badges', ('t', 'on_board'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_t, l_1_root, l_1_critical):
        t_9 = []
        l_1_person = resolve('person')
        if l_1_t is missing:
            l_1_t = undefined("parameter 't' was not provided", name='t')
        if l_1_root is missing:
            l_1_root = undefined("parameter 'root' was not provided", name='root')
        if l_1_critical is missing:
            l_1_critical = ()
        pass
        t_9.extend((
            '<tr data-task="',
            escape(environment.getattr(l_1_t, 'ref')),
            '"',
        ))
        if (environment.getattr(l_1_t, 'ref') in l_1_critical):
            pass
            t_9.append(
                ' class="on-critical"',
            )
        t_9.extend((
            '>\n  <th scope="row"><a href="',
            escape(l_1_root),
            escape(environment.getattr(l_1_t, 'url')),
            '">',
            escape(environment.getattr(l_1_t, 'title')),
            '</a>',
        ))
        if (environment.getattr(l_1_t, 'ref') in l_1_critical):
            pass
            t_9.append(
                ' <span class="tag tag-critical">critical path</span>',
            )
        t_9.extend((
            '</th>\n  <td><span class="stage-pill stage-',
            escape(environment.getattr(l_1_t, 'stage')),
            '">',
            escape(environment.getattr(l_1_t, 'stage_title')),
            '</span></td>\n  <td>',
            escape(context.call((undefined(name='person') if l_1_person is missing else l_1_person), environment.getattr(l_1_t, 'holder'), l_1_root)),
            '</td>\n  <td>',
        ))
        if environment.getattr(l_1_t, 'due'):
            pass
            t_9.extend((
                '<time datetime="',
                escape(environment.getattr(l_1_t, 'due')),
                '">',
                escape(environment.getattr(l_1_t, 'due')),
                '</time>',
            ))
        else:
            pass
            t_9.append(
                '<span class="muted">—</span>',
            )
        t_9.extend((
            '</td>\n  <td><ul class="badges">',
            escape(context.call((undefined(name='badges') if l_0_badges is missing else l_0_badges), l_1_t)),
            '</ul></td>\n</tr>',
        ))
        return concat(t_9)
    context.exported_vars.add('task_row')
    context.vars['task_row'] = l_0_task_row = Macro(environment, macro, 'task_row', ('t', 'root', 'critical'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_problems, l_1_root, l_1_limit):
        t_10 = []
        if l_1_problems is missing:
            l_1_problems = undefined("parameter 'problems' was not provided", name='problems')
        if l_1_root is missing:
            l_1_root = undefined("parameter 'root' was not provided", name='root')
        if l_1_limit is missing:
            l_1_limit = None
        pass
        t_10.append(
            '<ul class="problems">\n',
        )
        for l_2_view in (l_1_problems if t_6(l_1_limit) else l_1_problems[:l_1_limit]):
            l_2_icon = resolve('icon')
            l_2_p = missing
            _loop_vars = {}
            pass
            l_2_p = environment.getattr(l_2_view, 'problem')
            _loop_vars['p'] = l_2_p
            t_10.extend((
                '  <li class="problem severity-',
                escape(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'severity')),
                '" data-problem="',
                escape(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'code')),
                '">\n    <span class="sev">',
            ))
            if environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'is_error'):
                pass
                t_10.extend((
                    escape(context.call((undefined(name='icon') if l_2_icon is missing else l_2_icon), 'alert', _loop_vars=_loop_vars)),
                    'Error',
                ))
            else:
                pass
                t_10.extend((
                    escape((context.call((undefined(name='icon') if l_2_icon is missing else l_2_icon), 'clock', _loop_vars=_loop_vars) if (environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'code') == 'overdue') else context.call((undefined(name='icon') if l_2_icon is missing else l_2_icon), 'alert', _loop_vars=_loop_vars))),
                    'Warning',
                ))
            t_10.extend((
                '</span>\n    <code class="code">',
                escape(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'code')),
                '</code>\n    <span class="msg">',
                escape(t_1(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'message'))),
                '</span>\n    <span class="where">',
            ))
            if environment.getattr(l_2_view, 'url'):
                pass
                t_10.extend((
                    '<a href="',
                    escape(l_1_root),
                    escape(environment.getattr(l_2_view, 'url')),
                    '">',
                    escape(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'path')),
                    ':',
                    escape(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'line')),
                    '</a>',
                ))
            else:
                pass
                t_10.extend((
                    escape(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'path')),
                    ':',
                    escape(environment.getattr((undefined(name='p') if l_2_p is missing else l_2_p), 'line')),
                ))
            t_10.append(
                '</span>\n  </li>\n',
            )
        l_2_view = l_2_p = l_2_icon = missing
        t_10.append(
            '</ul>\n',
        )
        if ((not t_6(l_1_limit)) and (t_3(l_1_problems) > l_1_limit)):
            pass
            t_10.extend((
                '<p class="muted">and ',
                escape((t_3(l_1_problems) - l_1_limit)),
                ' more (see <a href="',
                escape(l_1_root),
                'board.json">board.json</a> or run <code>mdpm check</code>).</p>',
            ))
        return concat(t_10)
    context.exported_vars.add('problem_list')
    context.vars['problem_list'] = l_0_problem_list = Macro(environment, macro, 'problem_list', ('problems', 'root', 'limit'), False, False, False, context.eval_ctx.autoescape)

blocks = {}
debug_info = '4=49&5=59&6=62&7=70&8=72&14=85&15=93&16=100&17=116&18=123&19=152&20=159&23=171&24=183&25=193&26=206&27=210&28=213&29=229&33=236&35=248&36=253&37=257&38=262&39=276&40=278&41=281&45=307'